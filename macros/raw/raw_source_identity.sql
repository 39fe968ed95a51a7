{#-
    The raw source a run reads, as one text the incremental state records: on DuckDB the raw
    folder (var `raw_path`) made absolute, against the project directory, with `.`, `..` and
    trailing slashes resolved (a symbolic link is kept as it is, so a link re-pointed at a
    refreshed export is the same source); elsewhere the database and schema of the `raw` source.
    With `billing_source: stripe`, the Stripe tables read are part of it.
-#}
{% macro raw_source_identity() %}
    {%- set identity = adapter.dispatch('raw_source_identity', 'nrr_engine')() -%}
    {#- another billing source is part of what the run reads: switching it is a new source -#}
    {%- if billing_source() == 'stripe' -%}
        {%- set identity = identity ~ " + billing_source stripe (" ~ _stripe_source_identity() ~ ")" -%}
    {%- endif -%}
    {{ return(identity) }}
{% endmacro %}

{#- The Stripe tables read: on DuckDB the folder stripe_path made absolute, else database.schema. -#}
{% macro _stripe_source_identity() %}
    {{ return(adapter.dispatch('stripe_source_identity', 'nrr_engine')()) }}
{% endmacro %}

{% macro duckdb__stripe_source_identity() %}
    {{ return(_absolute_path(var('stripe_path'))) }}
{% endmacro %}

{% macro default__stripe_source_identity() %}
    {%- for node in graph.sources.values()
            if node.source_name == 'stripe' and node.package_name == project_name -%}
        {{ return((node.database ~ '.' ~ node.schema) if node.database else node.schema) }}
    {%- endfor -%}
    {{ return(var('stripe_schema', 'stripe')) }}
{% endmacro %}

{% macro default__raw_source_identity() %}
    {%- for node in graph.sources.values()
            if node.source_name == 'raw' and node.package_name == project_name -%}
        {{ return((node.database ~ '.' ~ node.schema) if node.database else node.schema) }}
    {%- endfor -%}
    {{ return(var('raw_schema', 'raw')) }}
{% endmacro %}

{% macro duckdb__raw_source_identity() %}
    {{ return(_absolute_path(var('raw_path'))) }}
{% endmacro %}

{#- A folder made absolute against the project directory, `.`, `..` and trailing slashes resolved. -#}
{% macro _absolute_path(path) %}
    {%- set raw_path = (path | string).strip() -%}
    {%- if not raw_path.startswith('/') -%}
        {%- set base = invocation_args_dict.get('project_dir') or env_var('PWD', '') -%}
        {%- set raw_path = (base | string) ~ '/' ~ raw_path -%}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for part in raw_path.split('/') -%}
        {%- if part == '..' -%}
            {%- if parts -%}{%- do parts.pop() -%}{%- endif -%}
        {%- elif part not in ('', '.') -%}
            {%- do parts.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('/' ~ parts | join('/')) }}
{% endmacro %}
