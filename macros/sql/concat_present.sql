{#-
    The non-null text expressions of `parts` joined by `separator`, null when every part is null:
    concat_ws on DuckDB and Postgres, but portable. Snowflake's concat_ws (and a plain concat
    anywhere but Postgres) is null as soon as one part is null, which would make a rejection
    reason with one unbroken rule null and pass the row. Each part is prefixed with the
    separator (null stays null), coalesced to '', concatenated, and the leading separator cut.
-#}
{% macro concat_present(parts, separator='; ') -%}
    {%- set prefixed = [] -%}
    {%- for part in parts -%}
        {%- do prefixed.append("coalesce(" ~ dbt.concat(["'" ~ separator ~ "'", "(" ~ part ~ ")"]) ~ ", '')") -%}
    {%- endfor -%}
    nullif(substr({{ dbt.concat(prefixed) if prefixed | length > 1 else prefixed[0] }}, {{ separator | length + 1 }}), '')
{%- endmacro %}
