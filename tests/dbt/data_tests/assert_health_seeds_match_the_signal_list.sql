-- The seed health_signals scores exactly the signals the SQL measures (macros/sql/
-- health_signal_names.sql), each in its own category, and every category has a weight.
{%- set signals = health_signal_names() %}
with

measured as (
    {% for category, names in signals.items() -%}
        {% set outer_last = loop.last -%}
        {% for signal in names -%}
            select
                '{{ signal }}' as signal_name,
                '{{ category }}' as category
            {% if not (outer_last and loop.last) %}union all
            {% endif -%}
        {%- endfor %}
    {%- endfor %}
),

seeded as (
    select
        signal_name,
        category
    from {{ ref('health_signals') }}
),

mismatched as (
    select measured.signal_name
    from measured
    full outer join seeded
        on measured.signal_name = seeded.signal_name
        and measured.category = seeded.category
    where measured.signal_name is null or seeded.signal_name is null
),

missing_category_weight as (
    select measured.category as signal_name
    from measured
    left join {{ ref('health_category_weights') }} as category_weights
        on measured.category = category_weights.category
    where category_weights.category is null
)

select * from mismatched
union all
select * from missing_category_weight
