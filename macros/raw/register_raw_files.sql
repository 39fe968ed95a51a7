{#-
    Expose the raw exports to dbt as the `raw` source.

    On DuckDB the raw data is a folder of files (var `raw_path`): for each table of the `raw`
    source this finds `<table>.parquet` or `<table>.csv` and creates a view `raw.<table>` with
    the contract columns only (matching names case-insensitively; extra columns are ignored). CSV
    files are read as text so that staging decides what casts; a value that does not cast is
    quarantined there, never guessed here.

    What may be absent is declared in `_raw__sources.yml`
    (docs/definitions.md#required-and-optional-input): a table that is not `required` may have no file and is then an empty view
    (its contract columns, typed, no rows); a `nullable` column may be absent and is then null,
    a column with a contract `default` is then that value. fx_rates (`required_when:
    foreign_currency`) must have a file when a row of a table with `fx_currency` is not in USD.

    Every missing required file and column, and every foreign-currency table without fx_rates,
    is reported in one message, before anything is built, naming the table, the file, the
    columns and what was found. A missing or empty folder stops with what to do. On other
    warehouses the raw tables already exist and nothing is registered.

    With `billing_source: stripe` the billing tables (billing_tables()) come from the Stripe
    mapping: their raw files are not read (each is an empty view; a file that is there is named in
    the log as ignored), and the raw folder may be empty or absent (every other table empty).
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
        {%- set replaced = billing_tables() if billing_source() != 'raw_files' else [] -%}
        {%- if files | length == 0 and not replaced -%}
            {{ exceptions.raise_compiler_error(
                "raw_path '" ~ raw_path ~ "' holds no files. Point the var raw_path (or the "
                ~ "environment variable NRR_RAW_PATH) at the folder of your exports, run "
                ~ "`make data` to generate the demo book, or `make raw-template OUT=<folder>` "
                ~ "for a template of every file.") }}
        {%- endif -%}
        {%- set source_nodes = [] -%}
        {%- for source_node in graph.sources.values()
                if source_node.source_name == 'raw' and source_node.package_name == project_name -%}
            {%- do source_nodes.append(source_node) -%}
        {%- endfor -%}
        {%- set absent_tables = [] -%}
        {%- for source_node in source_nodes -%}
            {%- if source_node.name in replaced -%}
                {%- do absent_tables.append(source_node.name) -%}
                {%- if (source_node.name ~ '.parquet') in files or (source_node.name ~ '.csv') in files -%}
                    {%- do log("raw table '" ~ source_node.name ~ "' comes from billing_source "
                        ~ billing_source() ~ ": its file in raw_path is ignored.", info=true) -%}
                {%- endif -%}
            {%- elif (source_node.name ~ '.parquet') not in files
                    and (source_node.name ~ '.csv') not in files -%}
                {%- do absent_tables.append(source_node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set problems = [] -%}
        {%- set views = {} -%}
        {%- for source_node in source_nodes -%}
            {%- set table = source_node.name -%}
            {%- set table_meta = source_node.config.meta -%}
            {%- set columns = source_node.columns.values() | list -%}
            {%- if table in absent_tables -%}
                {%- if table_meta.get('required', false) and table not in replaced -%}
                    {%- do problems.append(
                        "raw table '" ~ table ~ "' is required: neither " ~ table ~ ".parquet nor "
                        ~ table ~ ".csv is in raw_path. An empty table is a file with only its "
                        ~ "header.") -%}
                {%- endif -%}
                {#- an absent optional table is empty: its contract columns, typed, no rows -#}
                {%- set empty = [] -%}
                {%- for column in columns -%}
                    {%- do empty.append(raw_absent_column(column, use_default=false) ~ ' as ' ~ column.name) -%}
                {%- endfor -%}
                {%- do views.update({table: "select " ~ empty | join(', ') ~ " where false"}) -%}
                {%- continue -%}
            {%- endif -%}
            {%- if (table ~ '.parquet') in files -%}
                {%- set path = files[table ~ '.parquet'] -%}
                {%- set reader = "read_parquet('" ~ path ~ "')" -%}
            {%- else -%}
                {%- set path = files[table ~ '.csv'] -%}
                {%- set reader = "read_csv('" ~ path ~ "', header = true, all_varchar = true)" -%}
            {%- endif -%}
            {%- set described = run_query("describe select * from " ~ reader) -%}
            {%- set present = {} -%}
            {%- for row in described.rows -%}
                {%- do present.update({row[0] | lower | trim: row[0]}) -%}
            {%- endfor -%}
            {%- set selected = [] -%}
            {%- set missing = [] -%}
            {%- for column in columns -%}
                {%- set contract = _contract(column) -%}
                {%- if column.name in present -%}
                    {%- do selected.append(adapter.quote(present[column.name]) ~ ' as ' ~ column.name) -%}
                {%- elif contract.get('nullable', false) or 'default' in contract -%}
                    {%- do selected.append(raw_absent_column(column) ~ ' as ' ~ column.name) -%}
                {%- else -%}
                    {%- do missing.append(column.name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if missing -%}
                {%- do problems.append(
                    "raw table '" ~ table ~ "' (" ~ path ~ ") is missing required column"
                    ~ ("s " if missing | length > 1 else " ") ~ "'" ~ missing | join("', '")
                    ~ "'. Columns found: " ~ (present.values() | list | join(', ') or 'none')
                    ~ ".") -%}
                {%- continue -%}
            {%- endif -%}
            {%- set currency_column = table_meta.get('fx_currency') -%}
            {%- if currency_column and 'fx_rates' in absent_tables -%}
                {%- set foreign = run_query(
                    "select currency, count(*) from (select nullif(trim(cast(" ~ currency_column
                    ~ " as " ~ dbt.type_string() ~ ")), '') as currency from (select "
                    ~ selected | join(', ') ~ " from " ~ reader ~ ")) "
                    ~ "where currency <> 'USD' group by currency order by currency") -%}
                {%- if foreign.rows | length > 0 -%}
                    {%- set counts = [] -%}
                    {%- set total = namespace(rows=0) -%}
                    {%- for row in foreign.rows -%}
                        {%- do counts.append(row[0] ~ ": " ~ row[1]) -%}
                        {%- set total.rows = total.rows + row[1] -%}
                    {%- endfor -%}
                    {%- do problems.append(
                        "raw table '" ~ table ~ "' (" ~ path ~ ") has " ~ total.rows ~ " row"
                        ~ ("s" if total.rows != 1 else "") ~ " not in USD (" ~ counts | join(', ')
                        ~ ") and raw_path has no fx_rates file. Add fx_rates.csv with columns "
                        ~ "currency, rate_to_usd (USD per one unit), one row per currency.") -%}
                {%- endif -%}
            {%- endif -%}
            {%- do views.update({table: "select " ~ selected | join(', ') ~ " from " ~ reader}) -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "raw_path '" ~ raw_path ~ "' does not meet the raw contract "
                ~ "(models/staging/raw/_raw__sources.yml), " ~ problems | length ~ " problem"
                ~ ("s" if problems | length > 1 else "") ~ ":\n  - " ~ problems | join("\n  - ")
                ~ "\nOnly accounts (account_id, created_at) and subscription_line_items are "
                ~ "required, and fx_rates when a row is not in USD; `make raw-template "
                ~ "OUT=<folder>` writes every file with its header and a guide to what is "
                ~ "required.") }}
        {%- endif -%}
        {%- do run_query("create schema if not exists " ~ raw_schema) -%}
        {%- for table, view_sql in views.items() -%}
            {%- do run_query("create or replace view " ~ raw_schema ~ "." ~ table ~ " as " ~ view_sql) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as raw_files_registered
{% endmacro %}
