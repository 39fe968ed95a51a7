{#-
    A double-precision float. dbt's `type_float()` renders `float`, which DuckDB reads as a
    4-byte REAL: too coarse for money before it is rounded to cents.
-#}
{% macro double_type() %}
    {{ return(adapter.dispatch('double_type', 'nrr_engine')()) }}
{% endmacro %}

{% macro default__double_type() -%}
    double precision
{%- endmacro %}

{% macro spark__double_type() -%}
    double
{%- endmacro %}
