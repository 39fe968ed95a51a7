{#-
    on-run-end: record in audit.audit_incremental_state what the incremental tables now hold:
    the raw source and the fingerprint of the raw rows they will not read again
    (incremental_state_measured(); docs/definitions.md#incremental-runs). Runs after failed
    models too: check_incremental_state let this run start only on matching data, so whatever
    ran, the tables hold this source's data, and the next run is checked against it.

    After a rebuild (`--full-refresh`, or a first build), an incremental model that has a table
    but was not rebuilt successfully in this run still holds older data: the record then says
    `rebuild_incomplete` with those models, and the next run stops until a full refresh
    finishes. Only `dbt run` and `dbt build`.
-#}
{% macro record_incremental_state(results) %}
    {%- if not execute or invocation_args_dict.get('which') not in ('run', 'build') -%}
        {{ return('select 1 as incremental_state_not_recorded') }}
    {%- endif -%}
    {%- set state = incremental_state_read() -%}
    {%- if state is none -%}
        {{ return('select 1 as incremental_state_not_recorded') }}
    {%- endif -%}
    {%- set status = state['status'] -%}
    {%- set measured = incremental_state_measured() -%}
    {%- set stale = [] -%}
    {%- if status == 'rebuilding' and measured is not none -%}
        {%- set rebuilt = [] -%}
        {%- for result in results
                if result.node.resource_type == 'model' and result.status == 'success' -%}
            {%- do rebuilt.append(result.node.name) -%}
        {%- endfor -%}
        {%- for name in measured['existing_models'] | sort if name not in rebuilt -%}
            {%- do stale.append(name) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(write_incremental_state(
        raw_source_identity(), 'rebuild_incomplete' if stale else 'complete', measured, stale)) }}
{% endmacro %}
