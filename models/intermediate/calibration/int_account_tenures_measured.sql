{#-
    One row per account that ever paid: days from first revenue to its first churn, or to
    as_of_date while it has not churned (censored); for logo survival curves.
-#}
with

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

first_periods as (
    select
        account_id,
        period_start as first_revenue_date,
        period_end as first_churn_date
    from periods
    where period_number = 1
),

final as (
    select
        first_periods.account_id,
        accounts.segment,
        {{ quarter_label('first_periods.first_revenue_date') }} as signup_cohort,
        {{ dbt.datediff(
            'first_periods.first_revenue_date',
            'coalesce(first_periods.first_churn_date, as_of.as_of_date)',
            'day') }} as tenure_days,
        first_periods.first_churn_date is not null as churned
    from first_periods
    cross join as_of
    inner join accounts
        on first_periods.account_id = accounts.account_id
)

select * from final
