{#-
    The number of bits set in a non-negative bigint (the size of a flag set built with
    bit_or_agg). DuckDB and Spark have bit_count on integers; Postgres counts the bits of the
    value as a bit string.
-#}
{% macro count_bits(expression) %}
    {{ return(adapter.dispatch('count_bits', 'nrr_engine')(expression)) }}
{% endmacro %}

{% macro default__count_bits(expression) -%}
    bit_count({{ expression }})
{%- endmacro %}

{% macro postgres__count_bits(expression) -%}
    bit_count(cast({{ expression }} as bit(64)))
{%- endmacro %}
