{#-
    ARR of each account at each month's snapshot, rounded to cents
    (docs/definitions.md#month-snapshot). An account has a row for every month from its first
    month with ARR to the month of `as_of_date`, zero where nothing is under contract, so that
    the previous month is always one row back.
-#}
with

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

snapshots as (
    select * from {{ ref('int_month_snapshots_spined') }}
),

active_lines as (
    -- start_date is inclusive and end_date exclusive: a line counts at a snapshot day d when
    -- start_date <= d < end_date
    select
        line_items.account_id,
        snapshots.month,
        line_items.arr_usd
    from line_items
    inner join snapshots
        on line_items.start_date <= snapshots.snapshot_date
        and (line_items.end_date is null or line_items.end_date > snapshots.snapshot_date)
),

account_month_arr as (
    select
        account_id,
        month,
        -- once per account, on the sum of its lines: never line by line
        {{ round_to_cents('sum(arr_usd)') }} as arr
    from active_lines
    group by account_id, month
),

first_arr_months as (
    select
        account_id,
        min(month) as first_arr_month
    from account_month_arr
    where arr > 0
    group by account_id
),

account_months as (
    select
        first_arr_months.account_id,
        snapshots.month,
        snapshots.snapshot_date
    from first_arr_months
    inner join snapshots
        on first_arr_months.first_arr_month <= snapshots.month
),

final as (
    select
        account_months.account_id,
        account_months.month,
        account_months.snapshot_date,
        coalesce(account_month_arr.arr, 0) as arr
    from account_months
    left join account_month_arr
        on account_months.account_id = account_month_arr.account_id
        and account_months.month = account_month_arr.month
)

select * from final
