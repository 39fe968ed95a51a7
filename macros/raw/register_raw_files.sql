{#-
    Expose the raw exports to dbt as the `raw` source.

    On DuckDB the raw data is a folder of files (var `raw_path`): for each table of the `raw`
    source this finds `<table>.parquet` or `<table>.csv`, checks that every contract column is
    there (matching names case-insensitively), and creates a view `raw.<table>` with the contract
    columns only (extra columns are ignored). CSV files are read as text so that staging decides
    what casts; a value that does not cast is quarantined there, never guessed here.

    A missing folder, a missing file or a missing column stops the run before anything is built,
    with a message that names the table, the file and the column. On other warehouses the raw
    tables already exist and nothing is registered.
-#}
{% macro register_raw_files() %}
    {{ return(adapter.dispatch('register_raw_files', 'nrr_engine')()) }}
{% endmacro %}

{% macro default__register_raw_files() %}
    select 1 as raw_tables_already_in_warehouse
{% endmacro %}

{% macro duckdb__register_raw_files() %}
    {%- if execute -%}
        {%- set raw_path = (var('raw_path') | string).rstrip('/') -%}
        {%- set raw_schema = var('raw_schema', 'raw') -%}
        {%- set listing = run_query("select file from glob('" ~ raw_path ~ "/*')") -%}
        {%- set files = {} -%}
        {%- for row in listing.rows -%}
            {%- do files.update({row[0].split('/')[-1]: row[0]}) -%}
        {%- endfor -%}
        {%- if files | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw_path '" ~ raw_path ~ "' holds no files. Point the var raw_path (or the "
                ~ "environment variable NRR_RAW_PATH) at the folder of your exports, or run "
                ~ "`make data` to generate the demo book.") }}
        {%- endif -%}
        {%- do run_query("create schema if not exists " ~ raw_schema) -%}
        {%- for source_node in graph.sources.values()
                if source_node.source_name == 'raw' and source_node.package_name == project_name -%}
            {%- set table = source_node.name -%}
            {%- if (table ~ '.parquet') in files -%}
                {%- set path = files[table ~ '.parquet'] -%}
                {%- set reader = "read_parquet('" ~ path ~ "')" -%}
            {%- elif (table ~ '.csv') in files -%}
                {%- set path = files[table ~ '.csv'] -%}
                {%- set reader = "read_csv('" ~ path ~ "', header = true, all_varchar = true)" -%}
            {%- else -%}
                {{ exceptions.raise_compiler_error(
                    "raw table '" ~ table ~ "': neither " ~ table ~ ".parquet nor " ~ table
                    ~ ".csv is in raw_path '" ~ raw_path ~ "'. Every table of the raw contract "
                    ~ "(models/staging/raw/_raw__sources.yml) needs a file; an empty table is a "
                    ~ "file with only its header.") }}
            {%- endif -%}
            {%- set described = run_query("describe select * from " ~ reader) -%}
            {%- set present = {} -%}
            {%- for row in described.rows -%}
                {%- do present.update({row[0] | lower | trim: row[0]}) -%}
            {%- endfor -%}
            {%- set selected = [] -%}
            {%- set missing = [] -%}
            {%- for column_name in source_node.columns -%}
                {%- if column_name in present -%}
                    {%- do selected.append(adapter.quote(present[column_name]) ~ ' as ' ~ column_name) -%}
                {%- else -%}
                    {%- do missing.append(column_name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if missing -%}
                {{ exceptions.raise_compiler_error(
                    "raw table '" ~ table ~ "' (" ~ path ~ ") is missing required column"
                    ~ ("s " if missing | length > 1 else " ") ~ "'" ~ missing | join("', '")
                    ~ "'. Columns found: " ~ present.values() | list | join(', ') ~ ".") }}
            {%- endif -%}
            {%- do run_query(
                "create or replace view " ~ raw_schema ~ "." ~ table ~ " as select "
                ~ selected | join(', ') ~ " from " ~ reader) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as raw_files_registered
{% endmacro %}
