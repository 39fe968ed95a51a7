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

windows as (
    select * from {{ ref('int_retention_windows_listed') }}
),

cohorts as (
    select
        windows.as_of_month,
        windows.window_months,
        windows.window_start_month,
        account_arr.account_id,
        account_arr.arr as starting_arr
    from windows
    inner join account_arr
        on windows.window_start_month = account_arr.month
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
