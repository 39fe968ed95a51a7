{#-
    A month (its first day, a date) as 'YYYY-MM' text, for the plain-words details of the
    plausibility checks. ANSI substring of the ISO date text.
-#}
{% macro format_month(month) -%}
    substring(cast({{ month }} as {{ dbt.type_string() }}) from 1 for 7)
{%- endmacro %}
