{#-
    Expose Fivetran's Stripe tables as the `stripe` source, when `billing_source` is `stripe`.

    On DuckDB the tables are a folder of files (var `stripe_path`, env NRR_STRIPE_PATH): for each
    table of the `stripe` source (models/staging/stripe/_stripe__sources.yml) this finds
    `<table>.parquet` or `<table>.csv` and creates a view `<stripe_schema>.<table>` with the
    listed columns only (names matched case-insensitively, extra columns ignored; CSV read as
    text, the mapping casts). A table that is not `required` may be absent (an empty view), but
    one table of each `one_of` group must be there; an `optional` column may be absent (null).
    Every missing file and column, and invoices or prices of subscription items not in USD
    without an fx_rates file (Stripe has no rates), are reported in one message before anything is built.
    Elsewhere the Fivetran tables already live in the warehouse and nothing is registered.
-#}
{% macro register_stripe_files() %}
    {%- if billing_source() != 'stripe' -%}
        {{ return('select 1 as stripe_not_the_billing_source') }}
    {%- endif -%}
    {{ return(adapter.dispatch('register_stripe_files', 'nrr_engine')()) }}
{% endmacro %}

{% macro default__register_stripe_files() %}
    select 1 as stripe_tables_already_in_warehouse
{% endmacro %}

{% macro duckdb__register_stripe_files() %}
    {%- if execute -%}
        {%- set stripe_path = (var('stripe_path') | string).rstrip('/') -%}
        {%- set schema = var('stripe_schema', 'stripe') -%}
        {%- set listing = run_query("select file from glob('" ~ stripe_path ~ "/*')") -%}
        {%- set files = {} -%}
        {%- for row in listing.rows -%}
            {%- do files.update({row[0].split('/')[-1]: row[0]}) -%}
        {%- endfor -%}
        {%- set problems = [] -%}
        {%- set views = {} -%}
        {%- set groups = {} -%}
        {%- for node in graph.sources.values()
                if node.source_name == 'stripe' and node.package_name == project_name -%}
            {%- set table = node.name -%}
            {%- set meta = node.config.meta or {} -%}
            {%- set columns = node.columns.values() | list -%}
            {%- set path = files.get(table ~ '.parquet') or files.get(table ~ '.csv') -%}
            {%- if meta.get('one_of') -%}
                {%- do groups.setdefault(meta['one_of'], []).append(table) -%}
                {%- if path -%}{%- do groups.update({meta['one_of'] ~ ':found': true}) -%}{%- endif -%}
            {%- endif -%}
            {%- if not path -%}
                {%- if meta.get('required', false) -%}
                    {%- do problems.append("Stripe table '" ~ table ~ "' is required: neither "
                        ~ table ~ ".parquet nor " ~ table ~ ".csv is in stripe_path.") -%}
                {%- endif -%}
                {%- set empty = [] -%}
                {%- for column in columns -%}
                    {%- do empty.append("cast(null as " ~ dbt.type_string() ~ ") as "
                        ~ adapter.quote(column.name)) -%}
                {%- endfor -%}
                {%- do views.update({table: "select " ~ empty | join(', ') ~ " where false"}) -%}
                {%- continue -%}
            {%- endif -%}
            {%- if path.endswith('.parquet') -%}
                {%- set reader = "read_parquet('" ~ path ~ "')" -%}
            {%- else -%}
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
                {%- if column.name in present -%}
                    {%- do selected.append(adapter.quote(present[column.name]) ~ " as "
                        ~ adapter.quote(column.name)) -%}
                {%- elif (column.config.meta or {}).get('optional', false) -%}
                    {%- do selected.append("cast(null as " ~ dbt.type_string() ~ ") as "
                        ~ adapter.quote(column.name)) -%}
                {%- else -%}
                    {%- do missing.append(column.name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if missing -%}
                {%- do problems.append("Stripe table '" ~ table ~ "' (" ~ path ~ ") is missing "
                    ~ "column" ~ ("s " if missing | length > 1 else " ") ~ "'"
                    ~ missing | join("', '") ~ "'. Columns found: "
                    ~ (present.values() | list | join(', ') or 'none') ~ ".") -%}
                {%- continue -%}
            {%- endif -%}
            {%- do views.update({table: "select " ~ selected | join(', ') ~ " from " ~ reader}) -%}
        {%- endfor -%}
        {%- for group, tables in groups.items() if not group.endswith(':found') -%}
            {%- if not groups.get(group ~ ':found') -%}
                {%- do problems.append("one of the Stripe tables " ~ tables | join(' or ')
                    ~ " is required (.parquet or .csv); neither is in stripe_path.") -%}
            {%- endif -%}
        {%- endfor -%}
        {#- Stripe has no rates: an invoice, or a price of a subscription item, in another
            currency needs fx_rates -#}
        {%- set has_fx_file = files.get('fx_rates.parquet') or files.get('fx_rates.csv') -%}
        {%- if not has_fx_file and not problems -%}
            {%- for table in ['price', 'plan', 'invoice'] if views.get(table) -%}
                {%- set foreign = run_query(
                    "select upper(trim(cast(currency as " ~ dbt.type_string() ~ "))) as code, "
                    ~ "count(*) from (" ~ views[table] ~ ") as stripe_rows "
                    ~ "where upper(trim(cast(currency as " ~ dbt.type_string() ~ "))) <> 'USD' "
                    ~ ("" if table == 'invoice' else
                       "and cast(id as " ~ dbt.type_string() ~ ") in (select cast(plan_id as "
                       ~ dbt.type_string() ~ ") from (" ~ views['subscription_item'] ~ ") as items) ")
                    ~ "group by 1 order by 1") -%}
                {%- if foreign.rows | length > 0 -%}
                    {%- set counts = [] -%}
                    {%- for row in foreign.rows -%}
                        {%- do counts.append(row[0] ~ ": " ~ row[1]) -%}
                    {%- endfor -%}
                    {%- do problems.append("Stripe table '" ~ table ~ "' has rows not in USD ("
                        ~ counts | join(', ') ~ ") and stripe_path has no fx_rates file. Stripe "
                        ~ "has no conversion rates: add fx_rates.csv with columns currency, "
                        ~ "rate_to_usd (USD per one unit), one row per currency.") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "stripe_path '" ~ stripe_path ~ "' (var stripe_path, env NRR_STRIPE_PATH) does "
                ~ "not meet what the Stripe mapping reads "
                ~ "(models/staging/stripe/_stripe__sources.yml), " ~ problems | length
                ~ " problem" ~ ("s" if problems | length > 1 else "") ~ ":\n  - "
                ~ problems | join("\n  - ")) }}
        {%- endif -%}
        {%- do run_query("create schema if not exists " ~ schema) -%}
        {%- for table, view_sql in views.items() -%}
            {%- do run_query("create or replace view " ~ schema ~ "." ~ table ~ " as " ~ view_sql) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as stripe_files_registered
{% endmacro %}
