{#-
    Aggregate bitwise OR of an integer column: a set of up to 63 flags per group, so that
    "how many distinct X" over overlapping windows is a plain aggregate (see count_bits). Null
    when every value is null. DuckDB, Postgres and Spark call it bit_or; Snowflake bitor_agg.
-#}
{% macro bit_or_agg(expression) %}
    {{ return(adapter.dispatch('bit_or_agg', 'nrr_engine')(expression)) }}
{% endmacro %}

{% macro default__bit_or_agg(expression) -%}
    bit_or({{ expression }})
{%- endmacro %}

{% macro snowflake__bit_or_agg(expression) -%}
    bitor_agg({{ expression }})
{%- endmacro %}
