{#-
    Whether the table `relation` exists, asked of the warehouse's catalog rather than dbt's
    relation cache (which does not know tables that hooks create outside of any model).
    information_schema where the warehouse has one; Spark's catalog has none and answers
    `show schemas` and `show tables` instead.
-#}
{% macro table_exists_uncached(relation) %}
    {{ return(adapter.dispatch('table_exists_uncached', 'nrr_engine')(relation)) }}
{% endmacro %}

{% macro default__table_exists_uncached(relation) %}
    {%- set found = run_query(
        "select count(*) from information_schema.tables where lower(table_schema) = '"
        ~ relation.schema | lower ~ "' and lower(table_name) = '" ~ relation.identifier | lower
        ~ "'") -%}
    {{ return(found.rows[0][0] | int > 0) }}
{% endmacro %}

{% macro spark__table_exists_uncached(relation) %}
    {%- set schemas = run_query("show schemas like '" ~ relation.schema | lower ~ "'") -%}
    {%- if schemas.rows | length == 0 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set tables = run_query(
        "show tables in " ~ relation.schema ~ " like '" ~ relation.identifier | lower ~ "'") -%}
    {{ return(tables.rows | length > 0) }}
{% endmacro %}
