{#-
    One readable text of a row, `column=value | column=value`, for the audit trail of rejected
    rows. Nulls print as empty. Portable: only casts and dbt's cross-database concat.
-#}
{% macro row_as_text(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("'" ~ ('' if loop.first else ' | ') ~ column ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
