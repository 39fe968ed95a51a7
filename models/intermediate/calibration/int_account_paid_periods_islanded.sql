{#-
    Each account's unbroken stretches of paid recurring revenue, day by day: overlapping or
    touching paid lines merge into one period. A period's end is the day the account's ARR went
    to zero (a churn date, at day precision); an open period has no end. Zero-priced lines do not
    keep a period alive (docs/definitions.md#movements: a drop to a free plan is churn).
-#}
with

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
    where arr_usd > 0
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

known_lines as (
    -- only what had started by as_of_date; an end after as_of_date is not yet a churn
    select
        line_items.account_id,
        line_items.line_item_id,
        line_items.start_date,
        case
            when line_items.end_date > as_of.as_of_date then null else line_items.end_date
        end as end_date
    from line_items
    cross join as_of
    where line_items.start_date <= as_of.as_of_date
),

ordered as (
    select
        account_id,
        line_item_id,
        start_date,
        end_date,
        -- the latest end of all earlier lines (open-ended counts as the far future)
        max(coalesce(end_date, cast('9999-12-31' as date))) over (
            partition by account_id
            -- line_item_id last: lines with the same dates (a platform and its add-on) must come in
            -- the same order in both windows, or a tie can open a phantom period
            order by start_date, coalesce(end_date, cast('9999-12-31' as date)), line_item_id
            rows between unbounded preceding and 1 preceding
        ) as covered_until
    from known_lines
),

islands as (
    select
        *,
        sum(case when covered_until is null or start_date > covered_until then 1 else 0 end)
            over (
                partition by account_id
                order by start_date, coalesce(end_date, cast('9999-12-31' as date)), line_item_id
                rows between unbounded preceding and current row
            ) as period_number
    from ordered
),

final as (
    select
        account_id,
        period_number,
        min(start_date) as period_start,
        nullif(
            max(coalesce(end_date, cast('9999-12-31' as date))), cast('9999-12-31' as date)
        ) as period_end
    from islands
    group by account_id, period_number
)

select * from final
