{#-
    Replace the rows of audit.audit_incremental_state (incremental_state_relation()): one row per
    fingerprinted raw table (`measured`, from incremental_state_measured(); a single row without
    a table when there is none), each with the raw source, the status (`complete`, `rebuilding`
    or `rebuild_incomplete`) and, for an incomplete rebuild, the incremental models that still
    hold data from before it. Delete and insert in one transaction, committed here.
-#}
{% macro write_incremental_state(raw_source, status, measured=none, stale_models=[]) %}
    {%- set relation = incremental_state_relation() -%}
    {%- set text = dbt.type_string() -%}
    {%- set rows = [] -%}
    {%- set tables = (measured or {}).get('tables', {}) -%}
    {%- set stale = ("'" ~ stale_models | join(', ') ~ "'") if stale_models else "null" -%}
    {%- set prefix = "'" ~ raw_source | replace("'", "''") ~ "', '" ~ status ~ "', " ~ stale -%}
    {%- for table, fingerprint in tables.items() -%}
        {%- do rows.append(
            "(" ~ prefix ~ ", '" ~ table ~ "', "
            ~ ("null" if fingerprint['cutoff_date'] is none
               else "cast('" ~ fingerprint['cutoff_date'] ~ "' as date)") ~ ", "
            ~ fingerprint['rows_before_cutoff'] ~ ", '" ~ fingerprint['hash_sum'] ~ "', "
            ~ "current_timestamp, '" ~ invocation_id ~ "')") -%}
    {%- endfor -%}
    {%- if not rows -%}
        {%- do rows.append("(" ~ prefix ~ ", null, null, null, null, current_timestamp, '"
            ~ invocation_id ~ "')") -%}
    {%- endif -%}
    {#- through the adapter: Postgres takes no database in `create schema` -#}
    {%- do adapter.create_schema(relation) -%}
    {%- do replace_incremental_state_rows(relation, rows) -%}
    {#- commit here: the hook runs inside the transaction its own queries opened, and dbt
        rolls an open transaction back when the run ends -#}
    {%- do adapter.commit() -%}
    {{ return('select 1 as incremental_state_written') }}
{% endmacro %}
