{#-
    The two as-of months whose TTM NRR and GRR fct_nrr_change_attribution compares
    (docs/definitions.md#nrr-change-attribution): the var attribution_as_of_month, by default
    the latest complete month (the month of as_of_date when as_of_date is the month's last day,
    else the month before), and the var attribution_base_month, by default
    attribution_months_back months earlier. One row per role (base, as_of).
-#}
with

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

latest_complete as (
    select
        case
            when {{ dbt.dateadd('day', 1, 'as_of_date') }} >= {{ dbt.dateadd('month', 1, 'as_of_month') }}
                then as_of_month
            else cast({{ dbt.dateadd('month', -1, 'as_of_month') }} as date)
        end as latest_complete_month
    from as_of
),

as_of_month as (
    select
        {% if var('attribution_as_of_month') -%}
            cast('{{ var("attribution_as_of_month") }}' as date)
        {%- else -%}
            latest_complete_month
        {%- endif %} as as_of_month
    from latest_complete
),

base_month as (
    select
        {% if var('attribution_base_month') -%}
            cast('{{ var("attribution_base_month") }}' as date)
        {%- else -%}
            cast({{ dbt.dateadd('month', -var('attribution_months_back'), 'as_of_month') }} as date)
        {%- endif %} as base_month
    from as_of_month
),

final as (
    select
        'base' as period_role,
        base_month as as_of_month,
        {{ var('attribution_window_months') }} as window_months
    from base_month
    union all
    select
        'as_of' as period_role,
        as_of_month,
        {{ var('attribution_window_months') }} as window_months
    from as_of_month
)

select * from final
