{#-
    The given percentile (0-1) of a numeric expression over the group, interpolated between
    neighbouring values (as numpy's default "linear" method); null for an empty group.
    Ordered-set `percentile_cont` is standard SQL (DuckDB, Postgres, Snowflake, Redshift);
    dispatched, like median_of, for a warehouse that spells it otherwise.
-#}
{% macro percentile_of(expression, fraction) %}
    {{ return(adapter.dispatch('percentile_of', 'nrr_engine')(expression, fraction)) }}
{% endmacro %}

{% macro default__percentile_of(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}
