{#-
    The record in audit.audit_incremental_state, or none when there is no such table or it is
    empty: {raw_source, status, stale_models, tables: {source_table: {cutoff_date,
    rows_before_cutoff, hash_sum}}}. The table is looked up in the catalog (table_exists_uncached), not
    dbt's relation cache: the hooks create it outside of any model, so the cache does not know it.
-#}
{% macro incremental_state_read() %}
    {%- set relation = incremental_state_relation() -%}
    {%- if not table_exists_uncached(relation) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select raw_source, status, stale_models, source_table, cutoff_date, "
        ~ "rows_before_cutoff, hash_sum from " ~ relation) -%}
    {%- if rows.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set state = {
        'raw_source': rows.rows[0][0],
        'status': rows.rows[0][1],
        'stale_models': rows.rows[0][2],
        'tables': {},
    } -%}
    {%- for row in rows.rows if row[3] is not none -%}
        {%- do state['tables'].update({row[3]: {
            'cutoff_date': none if row[4] is none else row[4] | string,
            'rows_before_cutoff': row[5] | int,
            'hash_sum': row[6],
        }}) -%}
    {%- endfor -%}
    {{ return(state) }}
{% endmacro %}
