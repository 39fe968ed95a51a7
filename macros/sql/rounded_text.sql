{#-
    `value` rounded to `digits` decimal places (half away from zero) as text with exactly that
    many places: 0.4 -> '0.40' with 2. Through a decimal, so the text is the same on every
    warehouse (a double prints as '5.0' on DuckDB and Spark but '5' on Postgres).
-#}
{% macro rounded_text(value, digits) -%}
    cast(cast(round(cast({{ value }} as decimal(38, 10)), {{ digits }}) as decimal(38, {{ digits }})) as {{ dbt.type_string() }})
{%- endmacro %}
