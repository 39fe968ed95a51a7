{#-
    How well the renewal forecast did: for each checkpoint (90, 60, 30 days out) and rating, the
    resolved renewals and how they ended. A red rating is useful when its loss rate is well above
    green's.
-#}
with

renewals as (
    select * from {{ ref('fct_renewal_risk') }}
),

final as (
    select
        days_out,
        risk_rating,
        cast(count(*) as {{ dbt.type_bigint() }}) as renewals,
        -- ratings that rest on too little health data (docs/definitions.md#health-coverage)
        cast(count(case when band = 'insufficient_data' then 1 end) as {{ dbt.type_bigint() }})
            as renewals_on_insufficient_data,
        cast(count(case when outcome <> 'pending' then 1 end) as {{ dbt.type_bigint() }})
            as resolved_renewals,
        cast(count(case when outcome = 'renewed' then 1 end) as {{ dbt.type_bigint() }})
            as renewed,
        cast(count(case when outcome = 'downgraded' then 1 end) as {{ dbt.type_bigint() }})
            as downgraded,
        cast(count(case when outcome = 'lost' then 1 end) as {{ dbt.type_bigint() }}) as lost,
        {{ safe_ratio(
            "count(case when outcome = 'lost' then 1 end)",
            "count(case when outcome <> 'pending' then 1 end)") }} as loss_rate,
        cast(sum(case when outcome <> 'pending' then renewing_arr else 0 end) as {{ arr_type() }})
            as resolved_renewing_arr,
        cast(sum(case when outcome = 'lost' then renewing_arr else 0 end) as {{ arr_type() }})
            as lost_arr
    from renewals
    group by days_out, risk_rating
)

select * from final
