{#-
    MetricFlow's time spine (docs/semantic_layer.md): one row per day of every reporting month,
    from the first month of the revenue core's month spine to the last day of the month of
    as_of_date. Built from that month spine and a day offset 0-30 (dbt's cross-database
    generate_series and dateadd), so it needs no query at compile time and runs on any adapter.
-#}
with

months as (
    select * from {{ ref('int_month_snapshots_spined') }}
),

day_offsets as (
    -- generated_number runs 1..31 (a float on some adapters: Spark's date_add wants an integer)
    select cast(generated_number - 1 as {{ dbt.type_int() }}) as day_offset
    from ({{ dbt.generate_series(31) }}) as numbers
),

days as (
    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'months.month') }} as date)
            as date_day,
        cast({{ dbt.dateadd('month', 1, 'months.month') }} as date) as next_month
    from months
    cross join day_offsets
),

final as (
    select date_day
    from days
    where date_day < next_month
)

select * from final
