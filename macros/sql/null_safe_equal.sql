{#-
    `left` equals `right`, nulls equal to each other, as a join condition a warehouse can hash.
    Postgres runs `is not distinct from` as a nested loop (every raw row against every key:
    minutes for 70,000 events), so the default compares the values as text with null as a
    marker; DuckDB hashes `is not distinct from` itself and skips the casts.
-#}
{% macro null_safe_equal(left, right) %}
    {{ return(adapter.dispatch('null_safe_equal', 'nrr_engine')(left, right)) }}
{% endmacro %}

{% macro default__null_safe_equal(left, right) -%}
    coalesce(cast({{ left }} as {{ dbt.type_string() }}), '<null>')
    = coalesce(cast({{ right }} as {{ dbt.type_string() }}), '<null>')
{%- endmacro %}

{% macro duckdb__null_safe_equal(left, right) -%}
    {{ left }} is not distinct from {{ right }}
{%- endmacro %}
