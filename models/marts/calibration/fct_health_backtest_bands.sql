-- The 'band' section of the Python model py_health_backtest, under a contract.
with

calibrated as (
    select * from {{ ref('py_health_backtest') }}
),

final as (
    select
        cast(score_name as {{ dbt.type_string() }}) as score_name,
        cast(band as {{ dbt.type_string() }}) as band,
        cast(n as bigint) as n,
        cast(n_churned as bigint) as n_churned,
        cast(churn_rate as {{ double_type() }}) as churn_rate,
        cast(lift as {{ double_type() }}) as lift,
        cast(share_of_churn as {{ double_type() }}) as share_of_churn,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason
    from calibrated
    where section = 'band'
)

select * from final
