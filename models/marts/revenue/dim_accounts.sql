{#-
    One row per accepted account: its attributes, current ARR and status, first and last revenue
    months, ARR band and tenure (docs/definitions.md#arr-bands).
-#}
with

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

account_arr as (
    select * from {{ ref('int_account_arr_snapshotted') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

arr_bands as (
    select * from {{ ref('arr_bands') }}
),

revenue_history as (
    select
        account_id,
        min(case when arr > 0 then month end) as first_revenue_month,
        max(case when arr > 0 then month end) as last_revenue_month,
        count(case when arr > 0 then 1 end) as months_with_arr
    from account_arr
    group by account_id
),

current_arr as (
    select
        account_arr.account_id,
        account_arr.arr
    from account_arr
    inner join as_of
        on account_arr.month = as_of.as_of_month
),

described as (
    select
        accounts.*,
        revenue_history.first_revenue_month,
        revenue_history.last_revenue_month,
        as_of.as_of_month,
        coalesce(revenue_history.months_with_arr, 0) as months_with_arr,
        coalesce(current_arr.arr, 0) as current_arr
    from accounts
    cross join as_of
    left join revenue_history
        on accounts.account_id = revenue_history.account_id
    left join current_arr
        on accounts.account_id = current_arr.account_id
),

final as (
    select
        described.account_id,
        described.account_name,
        described.segment,
        described.industry,
        described.region,
        described.icp_tier,
        described.acquisition_channel,
        described.use_case,
        described.csm_owner,
        described.employee_count,
        cast(described.current_arr as {{ arr_type() }}) as current_arr,
        case
            when described.current_arr > 0 then 'active'
            when described.first_revenue_month is not null then 'churned'
            else 'never_paid'
        end as account_status,
        arr_bands.arr_band as current_arr_band,
        cast(described.first_revenue_month as date) as first_revenue_month,
        cast(described.last_revenue_month as date) as last_revenue_month,
        cast(
            case
                when described.first_revenue_month is not null
                    then {{ dbt.datediff(
                        'described.first_revenue_month',
                        'case when described.current_arr > 0 then described.as_of_month '
                        ~ 'else described.last_revenue_month end',
                        'month') }} + 1
            end as {{ dbt.type_bigint() }}
        ) as tenure_months,
        cast(described.months_with_arr as {{ dbt.type_bigint() }}) as months_with_arr,
        described.created_at
    from described
    left join arr_bands
        on described.current_arr > 0
        and described.current_arr >= arr_bands.lower_bound_usd
        and (
            arr_bands.upper_bound_usd is null
            or described.current_arr < arr_bands.upper_bound_usd
        )
)

select * from final
