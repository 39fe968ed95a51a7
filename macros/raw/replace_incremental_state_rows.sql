{#-
    Create audit.audit_incremental_state when absent and replace its rows with `rows` (SQL
    value tuples in the column order below), for write_incremental_state(). One statement
    batch in one transaction where the warehouse has transactions; Spark runs one statement at
    a time and its parquet tables take no `delete`, so there the rows are replaced by `insert
    overwrite`, which is atomic for the table.
-#}
{% macro replace_incremental_state_rows(relation, rows) %}
    {{ return(adapter.dispatch('replace_incremental_state_rows', 'nrr_engine')(relation, rows)) }}
{% endmacro %}

{% macro _incremental_state_columns() %}
    {%- set text = dbt.type_string() -%}
    raw_source {{ text }},
    status {{ text }},
    stale_models {{ text }},
    source_table {{ text }},
    cutoff_date date,
    rows_before_cutoff {{ dbt.type_bigint() }},
    hash_sum {{ text }},
    recorded_at {{ dbt.type_timestamp() }},
    invocation_id {{ text }}
{%- endmacro %}

{% macro default__replace_incremental_state_rows(relation, rows) %}
    {%- call statement('write_incremental_state', auto_begin=True) -%}
        create table if not exists {{ relation }} (
            {{ _incremental_state_columns() }}
        );
        delete from {{ relation }};
        insert into {{ relation }} (
            raw_source, status, stale_models, source_table, cutoff_date, rows_before_cutoff,
            hash_sum, recorded_at, invocation_id
        ) values
        {{ rows | join(',\n') }}
    {%- endcall -%}
{% endmacro %}

{% macro spark__replace_incremental_state_rows(relation, rows) %}
    {%- call statement('create_incremental_state') -%}
        create table if not exists {{ relation }} (
            {{ _incremental_state_columns() }}
        ) using parquet
    {%- endcall -%}
    {%- call statement('write_incremental_state') -%}
        insert overwrite table {{ relation }} values
        {{ rows | join(',\n') }}
    {%- endcall -%}
{% endmacro %}
