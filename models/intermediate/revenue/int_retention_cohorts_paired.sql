{#-
    For each retention window (var `retention_windows`) and each month E with a full window, the
    cohort of accounts with ARR at E - w, each paired with its ARR at E
    (docs/definitions.md#retention). New logos and reactivations inside the window are not in
    the cohort, by construction: membership is decided at E - w alone.
-#}
with

account_arr as (
    select * from {{ ref('int_account_arr_snapshotted') }}
),

reporting_months as (
    select distinct month from account_arr
),

window_ends as (
    {% for window_months in var('retention_windows') -%}
    select
        month as as_of_month,
        {{ window_months }} as window_months,
        cast({{ dbt.dateadd('month', -window_months, 'month') }} as date) as window_start_month
    from reporting_months
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}
),

full_windows as (
    select window_ends.*
    from window_ends
    where window_start_month >= (select min(month) from reporting_months)
),

cohorts as (
    select
        full_windows.as_of_month,
        full_windows.window_months,
        full_windows.window_start_month,
        account_arr.account_id,
        account_arr.arr as starting_arr
    from full_windows
    inner join account_arr
        on full_windows.window_start_month = account_arr.month
    where account_arr.arr > 0
),

final as (
    -- every cohort account has a row at E: account rows run without gaps to the last month
    select
        cohorts.as_of_month,
        cohorts.window_months,
        cohorts.window_start_month,
        cohorts.account_id,
        cohorts.starting_arr,
        ending.arr as ending_arr
    from cohorts
    inner join account_arr as ending
        on cohorts.account_id = ending.account_id
        and cohorts.as_of_month = ending.month
)

select * from final
