{#-
    The median of a numeric expression over the group, interpolated between the two middle
    values when the count is even (as Python's statistics.median); null for an empty group.
    Ordered-set `percentile_cont` is standard SQL (DuckDB, Postgres, Snowflake, Redshift);
    BigQuery has it only as a window function, hence the dispatch.
-#}
{% macro median_of(expression) %}
    {{ return(adapter.dispatch('median_of', 'nrr_engine')(expression)) }}
{% endmacro %}

{% macro default__median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
