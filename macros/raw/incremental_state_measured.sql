{#-
    The incremental state of the warehouse as it stands, measured against the raw source of
    this run (docs/definitions.md#incremental-runs). Returns none when no incremental model
    has a table yet (nothing to protect); otherwise a dict:

      cutoffs: per window (`usage`, `health`), the first day an incremental run re-reads: the
        latest of (latest stored day - window) over the models of that window; 9999-12-31 when
        one of them is empty (an empty incremental table re-reads nothing, so every raw row
        is history it has consumed)
      tables: per raw table of incremental_state_inputs(), the rows dated before its window's
        cut-off (all rows without a date column) and the hash_sum of their hashed columns
      existing_models: the incremental models with a table

    Cheap by design: one max() per incremental table, then one query with one grouped pass per
    raw table (no join), whatever the size of the book.
-#}
{% macro incremental_state_measured() %}
    {%- set inputs = incremental_state_inputs() -%}
    {%- set windows = {
        'usage': var('usage_lookback_days'),
        'health': var('health_restate_days'),
    } -%}
    {%- set existing = {} -%}
    {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.package_name == project_name
            and node.config.materialized == 'incremental'
            and node.config.incremental_strategy != 'replace_all' -%}
        {%- if node.name not in inputs['models'] -%}
            {{ exceptions.raise_compiler_error(
                "incremental model " ~ node.name ~ " is not listed in incremental_state_inputs() "
                ~ "(macros/raw/incremental_state_inputs.sql): say which window it re-reads, so "
                ~ "the incremental state check covers it") }}
        {%- endif -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias or node.name) -%}
        {%- if relation is not none -%}
            {%- do existing.update({node.name: relation}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not existing -%}
        {{ return(none) }}
    {%- endif -%}

    {%- set latest_days = [] -%}
    {%- for name, relation in existing.items() -%}
        {%- set model = inputs['models'][name] -%}
        {%- do latest_days.append(
            "select '" ~ model['window'] ~ "' as window_name, max(" ~ model['stored_day']
            ~ ") as latest_day from " ~ relation) -%}
    {%- endfor -%}
    {%- set cutoff_parts = [] -%}
    {%- for window_name, days in windows.items() -%}
        {%- do cutoff_parts.append(
            "select '" ~ window_name ~ "' as window_name, case when count(latest_day) < count(*) "
            ~ "then cast('9999-12-31' as date) else cast("
            ~ dbt.dateadd('day', -days, 'max(latest_day)') ~ " as date) end as cutoff "
            ~ "from latest_days where window_name = '" ~ window_name ~ "' having count(*) > 0") -%}
    {%- endfor -%}
    {%- set cutoff_rows = run_query(
        "with latest_days as (" ~ latest_days | join(' union all ') ~ ") "
        ~ cutoff_parts | join(' union all ')) -%}
    {%- set cutoffs = {} -%}
    {%- for row in cutoff_rows.rows -%}
        {%- do cutoffs.update({row[0]: row[1] | string}) -%}
    {%- endfor -%}

    {%- set raw_nodes = {} -%}
    {%- for node in graph.sources.values()
            if node.source_name == 'raw' and node.package_name == project_name -%}
        {%- do raw_nodes.update({node.name: node}) -%}
    {%- endfor -%}
    {%- set passes = [] -%}
    {%- for spec in inputs['tables'] if spec['window'] in cutoffs -%}
        {%- set node = raw_nodes[spec['table']] -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.identifier) -%}
        {#- a billing table of another billing source is read from its mapping (raw_input()) -#}
        {%- set mapping = _billing_mapping_relation(spec['table']) -%}
        {%- if mapping is not none -%}
            {%- set relation = mapping -%}
        {%- endif -%}
        {%- set cutoff = "cast('" ~ cutoffs[spec['window']] ~ "' as date)" -%}
        {%- set types = {} -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do types.update({column.name | lower: column.data_type | lower}) -%}
        {%- endfor -%}
        {%- set hashed = spec['columns'] | list -%}
        {%- for column in spec['capped'] -%}
            {%- do hashed.append(
                "case when " ~ _dated_before(column, types.get(column, ''), cutoffs[spec['window']])
                ~ " then " ~ column ~ " end") -%}
        {%- endfor -%}
        {%- if spec['dated_by'] -%}
            {%- set dated_before = "where " ~ _dated_before(
                spec['dated_by'], types.get(spec['dated_by'], ''), cutoffs[spec['window']]) -%}
        {%- else -%}
            {%- set dated_before = "" -%}
        {%- endif -%}
        {%- do passes.append(
            "select '" ~ spec['table'] ~ "' as source_table, "
            ~ (cutoff if spec['dated_by'] else "cast(null as date)") ~ " as cutoff_date, "
            ~ "count(*) as rows_before_cutoff, " ~ hash_sum(hashed) ~ " as hash_sum "
            ~ "from " ~ relation ~ " " ~ dated_before) -%}
    {%- endfor -%}
    {%- set tables = {} -%}
    {%- if passes -%}
        {%- set measured = run_query(passes | join(' union all ')) -%}
        {%- for row in measured.rows -%}
            {%- do tables.update({row[0]: {
                'cutoff_date': none if row[1] is none else row[1] | string,
                'rows_before_cutoff': row[2] | int,
                'hash_sum': row[3] | string,
            }}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return({'cutoffs': cutoffs, 'tables': tables, 'existing_models': existing.keys() | list}) }}
{% endmacro %}


{#-
    `column` is dated before the day `cutoff` (YYYY-MM-DD): compared as it is when the raw
    column is already a date or timestamp (Parquet), through safe_cast when it is text (CSV;
    a value that does not cast is not before any cut-off, as in check_raw_contract). Casting
    a typed column row by row would cost more than the whole fingerprint.
-#}
{% macro _dated_before(column, data_type, cutoff) %}
    {%- if data_type.startswith('timestamp') or data_type.startswith('date') -%}
        {{ return(column ~ " < cast('" ~ cutoff ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- endif -%}
    {{ return("cast(" ~ safe_cast(column, dbt.type_timestamp()) ~ " as date) < cast('" ~ cutoff
        ~ "' as date)") }}
{% endmacro %}


{#-
    With `billing_source: stripe`, the relation of the mapping model a billing table is read from
    (stg_stripe__<table>, a view over the Stripe tables registered at the start of this run);
    none for the raw files. A mapping not built yet stops the run with what to do: without it
    the rows the incremental tables consumed cannot be compared.
-#}
{% macro _billing_mapping_relation(table) %}
    {%- if billing_source() == 'raw_files' or table not in billing_tables() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.package_name == project_name
            and node.name == 'stg_' ~ billing_source() ~ '__' ~ table -%}
        {%- set relation = adapter.get_relation(
            database=node.database, schema=node.schema, identifier=node.alias or node.name) -%}
        {%- if relation is none -%}
            {{ exceptions.raise_compiler_error(
                "billing_source is " ~ billing_source() ~ " but this warehouse holds incremental "
                ~ "tables and no " ~ node.name ~ " yet: they were built from another billing "
                ~ "source. Run `dbt build --full-refresh`, or build into another warehouse file.") }}
        {%- endif -%}
        {{ return(relation) }}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}
