{#-
    Every change of an account's ARR, at day precision, up to as_of_date: the day a paid
    recurring line starts or ends (end_date exclusive, as every ARR figure), its ARR before and
    after, and its kind (docs/definitions.md#feedback-outcomes): churn (to zero), contraction
    (down, still above zero), expansion (up from above zero), start (up from zero: a new or
    returning customer). Lines that start and end on one day net out: a renewal that replaces a
    line by an equal one is no change. The monthly movements of fct_arr_waterfall count the same
    changes at month ends; the feedback outcomes need the day, to measure lead times.
-#}
with

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
    where arr_usd > 0
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

line_events as (
    select
        account_id,
        start_date as changed_on,
        arr_usd as arr_change
    from line_items
    union all
    select
        account_id,
        end_date as changed_on,
        -1 * arr_usd as arr_change
    from line_items
    where end_date is not null
),

daily_changes as (
    select
        line_events.account_id,
        line_events.changed_on,
        sum(line_events.arr_change) as arr_change
    from line_events
    cross join as_of
    where line_events.changed_on <= as_of.as_of_date
    group by line_events.account_id, line_events.changed_on
),

running as (
    select
        account_id,
        changed_on,
        {{ round_to_cents('arr_change') }} as arr_change,
        {{ round_to_cents(
            'sum(arr_change) over (partition by account_id order by changed_on'
            ~ ' rows between unbounded preceding and current row)'
        ) }} as arr_after
    from daily_changes
),

classified as (
    select
        account_id,
        changed_on,
        arr_after,
        arr_after - arr_change as arr_before
    from running
    where arr_change <> 0
),

final as (
    select
        account_id,
        changed_on,
        arr_before,
        arr_after,
        case
            when arr_before <= 0 then 'start'
            when arr_after <= 0 then 'churn'
            when arr_after < arr_before then 'contraction'
            else 'expansion'
        end as change_kind
    from classified
)

select * from final
