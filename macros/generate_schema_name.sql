{#-
    Use a model's custom schema name as it is (`revenue`, `audit`, ...) instead of dbt's default
    `<target_schema>_<custom>`: the marts are read by BI tools, which want stable, short names.
    Models without a custom schema land in the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
