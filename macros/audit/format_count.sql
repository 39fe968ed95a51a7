{#-
    A count as text, for the plain-words details of the plausibility checks; null reads 0.
-#}
{% macro format_count(value) -%}
    cast(coalesce({{ value }}, 0) as {{ dbt.type_string() }})
{%- endmacro %}
