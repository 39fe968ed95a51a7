{#-
    A ratio as percent text with one decimal, for the plain-words details of the plausibility
    checks: 0.37456 -> '37.5%'. Null stays null.
-#}
{% macro format_percent(ratio) -%}
    cast(cast(round(cast(100.0 * {{ ratio }} as decimal(38, 10)), 1) as decimal(18, 1)) as {{ dbt.type_string() }}) || '%'
{%- endmacro %}
