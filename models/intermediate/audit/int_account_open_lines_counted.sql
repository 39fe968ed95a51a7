{#-
    Each account with a recurring line open at as_of_date: its open recurring lines and the
    largest group of identical ones (same product, plan, unit price, quantity, discount,
    currency and interval). Two open lines always overlap; identical ones stacked on one account
    usually mean one subscription exported several times (docs/definitions.md#plausibility).
-#}
with

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

open_lines as (
    -- end_date is exclusive, as everywhere (docs/definitions.md#month-snapshot)
    select line_items.*
    from line_items
    cross join as_of
    where
        line_items.start_date <= as_of.as_of_date
        and (line_items.end_date is null or line_items.end_date > as_of.as_of_date)
),

identical_groups as (
    select
        account_id,
        count(*) as identical_lines
    from open_lines
    group by
        account_id, product, plan, unit_price, quantity, discount_pct, currency, interval_months
),

final as (
    select
        account_id,
        cast(sum(identical_lines) as {{ dbt.type_bigint() }}) as open_recurring_lines,
        cast(max(identical_lines) as {{ dbt.type_bigint() }}) as largest_identical_stack
    from identical_groups
    group by account_id
)

select * from final
