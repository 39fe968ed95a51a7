{#-
    Fails with one row per listed value that no row of the column holds: a rules seed that
    lost a rule its SQL reads fails the build instead of leaving that rule null (and the flag
    it drives silently off). Example: `has_values: {arguments: {values: [a, b]}}` on a column.
-#}
{% test has_values(model, column_name, values) %}

with

expected as (
    {% for value in values -%}
        select '{{ value }}' as expected_value
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
)

select expected.expected_value
from expected
where not exists (
    select 1
    from {{ model }} as checked
    where checked.{{ column_name }} = expected.expected_value
)

{% endtest %}
