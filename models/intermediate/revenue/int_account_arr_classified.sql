{#-
    The movement of each account in each month (docs/definitions.md#movements): one row exactly
    where ARR is positive in the month or the month before.
-#}
{%- set reactivation_window = var('reactivation_window_months') -%}

with

account_arr as (
    select * from {{ ref('int_account_arr_snapshotted') }}
),

with_history as (
    select
        account_id,
        month,
        snapshot_date,
        arr,
        coalesce(
            lag(arr) over (partition by account_id order by month), 0
        ) as previous_arr,
        max(case when arr > 0 then month end) over (
            partition by account_id
            order by month
            rows between unbounded preceding and 1 preceding
        ) as last_month_with_arr
    from account_arr
),

moving as (
    select
        *,
        -- months at zero ARR between the last paid month and this one
        {{ dbt.datediff('last_month_with_arr', 'month', 'month') }} - 1 as months_without_arr
    from with_history
    where arr > 0 or previous_arr > 0
),

classified as (
    -- the zero-to-positive branches come first, so that each of them can fire
    select
        *,
        case
            when previous_arr = 0 and last_month_with_arr is null then 'new'
            {% if reactivation_window is not none -%}
            when previous_arr = 0 and months_without_arr > {{ reactivation_window }} then 'new'
            {% endif -%}
            when previous_arr = 0 then 'reactivation'
            when arr = 0 then 'churn'
            when arr > previous_arr then 'expansion'
            when arr < previous_arr then 'contraction'
            else 'flat'
        end as movement_type
    from moving
),

final as (
    select
        account_id,
        month,
        snapshot_date,
        arr,
        previous_arr,
        movement_type,
        cast(arr - previous_arr as {{ arr_type() }}) as movement_arr
    from classified
)

select * from final
