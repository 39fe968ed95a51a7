{#-
    on-run-start, after register_raw_files(): stop the run, before any model runs, when the
    warehouse's incremental tables were built from other data than this run reads
    (docs/definitions.md#incremental-runs). Incremental models re-read only their latest days,
    so without this check a build on another raw folder (own data after the demo) or on a
    re-export with restated history would keep the old events and snapshots: mixed, silently
    wrong marts.

    Only `dbt run` and `dbt build` without `--full-refresh`, and only when an incremental model
    already has a table. It compares audit.audit_incremental_state (written by
    record_incremental_state at the end of the last run) with the raw source and the raw rows
    now: per raw table, the same count and hash_sum of the rows dated before the cut-off the
    incremental models start re-reading from. New rows after the cut-off (the normal daily load,
    late events within the look-back) pass. Every difference is named in one message, with the
    raw source recorded and read now and what to do: `dbt build --full-refresh`, or another
    warehouse file. A moved folder whose history is the same (a dated export folder, a copy)
    goes on, with a note in the log: nothing it consumed differs, so nothing can mix.

    A `--full-refresh` run, or the first run into a warehouse without incremental tables, is a
    rebuild: it records `rebuilding` here, and record_incremental_state marks it complete only
    when every incremental model was rebuilt.
-#}
{% macro check_incremental_state() %}
    {%- if not execute or invocation_args_dict.get('which') not in ('run', 'build') -%}
        {{ return('select 1 as incremental_state_not_checked') }}
    {%- endif -%}
    {%- set raw_source = raw_source_identity() -%}
    {%- set measured = none if flags.FULL_REFRESH else incremental_state_measured() -%}
    {%- if measured is none -%}
        {{ return(write_incremental_state(raw_source, 'rebuilding')) }}
    {%- endif -%}

    {%- set relation = incremental_state_relation() -%}
    {%- set fix = " Run `dbt build --full-refresh` to rebuild the incremental models from the "
        ~ "raw data of this run, or build into another warehouse file (NRR_DUCKDB_PATH, or "
        ~ "`make build-own RAW=<folder>`)." -%}
    {%- set warehouse = "The warehouse (" ~ (target.path if target.type == 'duckdb' else target.database)
        ~ ")" -%}
    {%- set state = incremental_state_read() -%}
    {%- set status = state or {} -%}
    {%- set stored = status.get('tables', {}) -%}
    {%- if not status -%}
        {{ exceptions.raise_compiler_error(
            warehouse ~ " holds incremental tables (" ~ measured['existing_models'] | join(', ')
            ~ ") but no record of the raw data they were built from (audit."
            ~ relation.identifier ~ "): it was built before this check existed. This run reads "
            ~ raw_source ~ "." ~ fix) }}
    {%- endif -%}
    {%- if status['status'] == 'rebuilding' -%}
        {{ exceptions.raise_compiler_error(
            warehouse ~ ": the last full build (from " ~ status['raw_source'] ~ ") stopped before "
            ~ "its end, so its incremental tables may hold data from an earlier build." ~ fix) }}
    {%- endif -%}
    {%- if status['status'] == 'rebuild_incomplete' -%}
        {{ exceptions.raise_compiler_error(
            warehouse ~ ": the last full build (from " ~ status['raw_source'] ~ ") did not rebuild "
            ~ "the incremental models " ~ status['stale_models'] ~ " (failed or not selected), so "
            ~ "they still hold data from an earlier build." ~ fix) }}
    {%- endif -%}

    {%- set problems = [] -%}
    {%- for table in (stored.keys() | list + measured['tables'].keys() | list) | unique | sort -%}
        {%- set before = stored.get(table) -%}
        {%- set now = measured['tables'].get(table) -%}
        {%- if before is none or now is none -%}
            {%- do problems.append(
                table ~ " was " ~ ("not " if before is none else "")
                ~ "recorded by the last run and is " ~ ("not " if now is none else "")
                ~ "measured now (a different version of the project)") -%}
        {%- elif before['cutoff_date'] != now['cutoff_date'] -%}
            {%- do problems.append(
                table ~ ": the incremental tables now start re-reading on "
                ~ now['cutoff_date'] ~ ", the record says " ~ before['cutoff_date']
                ~ " (a run changed them without finishing)") -%}
        {%- elif before['rows_before_cutoff'] != now['rows_before_cutoff']
                or before['hash_sum'] != now['hash_sum'] -%}
            {%- set window = ("rows dated before " ~ now['cutoff_date']) if now['cutoff_date'] else "all rows" -%}
            {%- do problems.append(
                table ~ " (" ~ window ~ "): " ~ before['rows_before_cutoff'] ~ " rows stored, "
                ~ now['rows_before_cutoff'] ~ " rows found now"
                ~ ("" if before['rows_before_cutoff'] != now['rows_before_cutoff']
                   else " (the same count, other values)")) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set moved = status['raw_source'] != raw_source -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            warehouse ~ " holds incremental tables built from other raw data than this run "
            ~ "reads, and an incremental build would mix the two. "
            ~ ("They were built from the raw source " ~ status['raw_source'] ~ "; this run reads "
               ~ raw_source ~ "." if moved
               else "The raw source " ~ raw_source ~ " is the one recorded, but its history "
               ~ "changed (a re-export with restated history?).")
            ~ " Rows the incremental models do not read again differ from those they loaded: "
            ~ problems | join('; ') ~ "." ~ fix) }}
    {%- endif -%}
    {%- if moved -%}
        {%- do log(
            "incremental state: the raw source moved from " ~ status['raw_source'] ~ " to "
            ~ raw_source ~ "; the rows the incremental tables do not read again are the same in "
            ~ "both (count and hash per raw table), so this run goes on incrementally.",
            info=true) -%}
    {%- endif -%}
    select 1 as incremental_state_matches
{% endmacro %}
