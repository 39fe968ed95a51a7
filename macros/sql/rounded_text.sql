{#-
    `value` rounded to `digits` decimal places (half away from zero) as text, printed as DuckDB
    prints a double: trailing zeros dropped but one decimal kept, 0.4 -> '0.4', 60 -> '60.0',
    -7.54 -> '-7.5' with digits 1 (digits 0: '12'). Through a decimal, so the text is the same on
    every warehouse (a double prints as '60.0' on DuckDB and Spark but '60' on Postgres).
-#}
{% macro rounded_text(value, digits) -%}
    {%- set fixed = "cast(cast(round(cast(" ~ value ~ " as decimal(38, 10)), " ~ digits
        ~ ") as decimal(38, " ~ digits ~ ")) as " ~ dbt.type_string() ~ ")" -%}
    {%- if digits | int > 0 -%}
        {%- set trimmed = "trim(trailing '0' from " ~ fixed ~ ")" -%}
        case when {{ trimmed }} like '%.' then {{ dbt.concat([trimmed, "'0'"]) }} else {{ trimmed }} end
    {%- else -%}
        {{ fixed }}
    {%- endif -%}
{%- endmacro %}
