{#-
    The days each health snapshot looks back over: one row per snapshot date and each of the
    365 days before it, `days_before` = 1 for the day before the snapshot. A signal joins its
    daily data to this on the day, an equality join on a small table, and keeps the rows of its
    window with `in_window(days)`; a range join from each snapshot into each account's history
    costs accounts x snapshots x days and does not scale (docs/definitions.md#health-snapshots).
-#}
with

snapshots as (
    select * from {{ ref('int_health_snapshot_dates_spined') }}
),

day_numbers as (
    {{ dbt.generate_series(365) }}
),

final as (
    select
        snapshots.snapshot_date,
        cast({{ dbt.dateadd('day', '-1 * day_numbers.generated_number', 'snapshots.snapshot_date') }} as date)
            as window_day,
        cast(day_numbers.generated_number as integer) as days_before
    from snapshots
    cross join day_numbers
)

select * from final
