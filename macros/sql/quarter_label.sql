{#- A date's calendar quarter as text, `2024-Q3`: a readable cohort label. -#}
{% macro quarter_label(date_expression) -%}
    {{ dbt.concat([
        "cast(extract(year from " ~ date_expression ~ ") as " ~ dbt.type_string() ~ ")",
        "'-Q'",
        "cast(extract(quarter from " ~ date_expression ~ ") as " ~ dbt.type_string() ~ ")",
    ]) }}
{%- endmacro %}
