{#-
    The dates health is scored on (docs/definitions.md#health-snapshots): every Monday from the
    first month with ARR to as_of_date, plus as_of_date itself. A snapshot dated D sees only data
    dated before D.
-#}
with

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

months as (
    select * from {{ ref('int_month_snapshots_spined') }}
),

weeks as (
    -- 1970-01-05 was a Monday; a fixed calendar needs no query at compile time
    {{ dbt.date_spine('week', "cast('1970-01-05' as date)", "cast('2100-01-04' as date)") }}
),

bounds as (
    select
        min(months.month) as first_month,
        max(as_of.as_of_date) as as_of_date
    from months
    cross join as_of
),

mondays as (
    select cast(weeks.date_week as date) as snapshot_date
    from weeks
    cross join bounds
    where weeks.date_week >= bounds.first_month
        and weeks.date_week <= bounds.as_of_date
),

with_as_of as (
    select snapshot_date from mondays
    union
    select as_of_date from as_of
),

final as (
    select
        with_as_of.snapshot_date,
        with_as_of.snapshot_date = as_of.as_of_date as is_as_of_date
    from with_as_of
    cross join as_of
)

select * from final
