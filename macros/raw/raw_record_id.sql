{#-
    SQL expression for the record id of a raw table's row: its primary key columns (from the
    contract in `_raw__sources.yml`) joined with `|`.
-#}
{% macro raw_record_id(table) %}
    {%- set node = _raw_source_node(table) -%}
    {%- if node is none -%}
        {{ return("cast(null as " ~ dbt.type_string() ~ ")") }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for column in node.config.meta.get('primary_key', []) -%}
        {%- if not loop.first -%}{%- do parts.append("'|'") -%}{%- endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ return(dbt.concat(parts) if parts | length > 1 else parts[0]) }}
{% endmacro %}
