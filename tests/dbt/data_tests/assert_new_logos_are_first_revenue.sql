-- `new` is an account's first ARR ever (or, with reactivation_window_months set, a return after
-- a longer gap); `reactivation` always follows earlier ARR (docs/definitions.md#movements).
{%- set reactivation_window = var('reactivation_window_months') %}
with

account_months as (
    select * from {{ ref('fct_account_arr_monthly') }}
),

with_history as (
    select
        *,
        max(case when arr > 0 then month end) over (
            partition by account_id
            order by month
            rows between unbounded preceding and 1 preceding
        ) as earlier_month_with_arr
    from account_months
),

final as (
    select *
    from with_history
    where (movement_type = 'reactivation' and earlier_month_with_arr is null)
        or (
            movement_type = 'new' and earlier_month_with_arr is not null
            {% if reactivation_window is not none -%}
            and {{ dbt.datediff('earlier_month_with_arr', 'month', 'month') }} - 1
                <= {{ reactivation_window }}
            {%- endif %}
        )
)

select * from final
