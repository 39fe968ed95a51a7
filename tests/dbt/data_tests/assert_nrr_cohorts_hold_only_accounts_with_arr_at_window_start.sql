-- No account counted in an NRR cohort lacked ARR at the window start, and no new logo of the
-- window is in its cohort (docs/definitions.md#retention). Checked against the public monthly
-- mart, not the model that built the cohorts.
with

cohorts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
),

account_months as (
    select * from {{ ref('fct_account_arr_monthly') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

final as (
    select
        cohorts.as_of_month,
        cohorts.window_months,
        cohorts.account_id,
        account_months.arr as arr_at_window_start,
        accounts.first_revenue_month
    from cohorts
    left join account_months
        on cohorts.account_id = account_months.account_id
        and cohorts.window_start_month = account_months.month
    left join accounts
        on cohorts.account_id = accounts.account_id
    where coalesce(account_months.arr, 0) <= 0
        or accounts.first_revenue_month > cohorts.window_start_month
)

select * from final
