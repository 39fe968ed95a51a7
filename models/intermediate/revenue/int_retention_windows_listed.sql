{#-
    Every retention window to report: for each length w in the var `retention_windows` and each
    month E up to the month of as_of_date whose window start E - w is on or after the first month
    with ARR (docs/definitions.md#retention).
-#}
with

account_arr as (
    select * from {{ ref('int_account_arr_snapshotted') }}
),

reporting_months as (
    -- account rows start at each account's first month with ARR and run to the last month
    select distinct month from account_arr
),

window_ends as (
    {% for window_months in var('retention_windows') -%}
        select
            month as as_of_month,
            {{ window_months }} as window_months,
            cast({{ dbt.dateadd('month', -window_months, 'month') }} as date) as window_start_month
        from reporting_months
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

final as (
    select *
    from window_ends
    where window_start_month >= (select min(reporting_months.month) from reporting_months)
)

select * from final
