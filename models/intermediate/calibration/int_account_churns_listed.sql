{#-
    Every churn (the end of a paid period before as_of_date) with its account's signup cohort
    (quarter of first revenue), segment and days since first revenue; for churn timing.
-#}
with

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

first_revenue as (
    select
        account_id,
        min(period_start) as first_revenue_date
    from periods
    group by account_id
),

final as (
    select
        periods.account_id,
        accounts.segment,
        {{ quarter_label('first_revenue.first_revenue_date') }} as signup_cohort,
        periods.period_end as churn_date,
        {{ dbt.datediff('first_revenue.first_revenue_date', 'periods.period_end', 'day') }}
            as days_since_first_revenue,
        {{ dbt.datediff('first_revenue.first_revenue_date', 'periods.period_end', 'month') }}
            as months_since_first_revenue
    from periods
    inner join first_revenue
        on periods.account_id = first_revenue.account_id
    inner join accounts
        on periods.account_id = accounts.account_id
    where periods.period_end is not null
)

select * from final
