{#-
    One row per reporting month, from the month of the first recurring line item to the month of
    `as_of_date`, with the day its ARR is read (docs/definitions.md#month-snapshot): the month's
    last day, or `as_of_date` for the month that contains it.
-#}
with

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

calendar as (
    -- a fixed, wide calendar: cheap to build and independent of the data, so it needs no query
    -- at compile time; the next CTE keeps the months that matter
    {{ dbt.date_spine('month', "cast('1970-01-01' as date)", "cast('2100-01-01' as date)") }}
),

bounds as (
    select
        cast({{ dbt.date_trunc('month', 'min(line_items.start_date)') }} as date) as first_month,
        max(as_of.as_of_month) as last_month,
        max(as_of.as_of_date) as as_of_date
    from line_items
    cross join as_of
    where line_items.start_date <= as_of.as_of_date
),

months as (
    select
        cast(calendar.date_month as date) as month,  -- noqa: RF04
        bounds.last_month,
        bounds.as_of_date
    from calendar
    inner join bounds
        on calendar.date_month >= bounds.first_month
        and calendar.date_month <= bounds.last_month
),

final as (
    select
        month,
        case
            when month = last_month then as_of_date
            else cast(
                    {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month')) }} as date
                )
        end as snapshot_date
    from months
)

select * from final
