{#-
    The days each health snapshot looks back over: one row per snapshot date and each of the
    days before it up to the longest window of seeds/health_signal_windows.csv (days plus
    offset_days), `days_before` = 1 for the day before the snapshot. A signal joins its daily
    data to this on the day, an equality join on a small table, and keeps the rows of its
    window with `in_signal_window(name)`; a range join from each snapshot into each account's
    history costs accounts x snapshots x days and does not scale
    (docs/definitions.md#health-snapshots). The series stops at 1096 days (three years): a
    longer window fails the data test
    assert_windows_cover_the_longest_signal_window.
-#}
with

snapshots as (
    select * from {{ ref('int_health_snapshot_dates_spined') }}
),

signal_windows as (
    select * from {{ ref('health_signal_windows') }}
),

longest_window as (
    select max(days + offset_days) as max_days_before
    from signal_windows
),

day_numbers as (
    {{ dbt.generate_series(1096) }}
),

final as (
    select
        snapshots.snapshot_date,
        cast({{ dbt.dateadd('day', '-1 * day_numbers.generated_number', 'snapshots.snapshot_date') }} as date)
            as window_day,
        cast(day_numbers.generated_number as integer) as days_before
    from snapshots
    cross join day_numbers
    cross join longest_window
    where day_numbers.generated_number <= longest_window.max_days_before
)

select * from final
