{#-
    One readable text of a row, `column=value | column=value`, for the audit trail of rejected
    rows. Nulls print as empty. `expressions` (same order as `columns`) gives the value of each
    column when it is not the column itself. Portable: only casts and dbt's cross-database concat.
-#}
{% macro row_as_text(columns, expressions=none) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- set value = expressions[loop.index0] if expressions else column -%}
        {%- do parts.append("'" ~ ('' if loop.first else ' | ') ~ column ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ value ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
