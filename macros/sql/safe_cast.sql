{#-
    Cast that yields null instead of failing when a value does not convert, so that staging can
    quarantine the row with a reason. DuckDB, Spark and Snowflake have `try_cast`; the default
    falls back to a plain cast, which fails loudly rather than silently.
-#}
{% macro safe_cast(expression, data_type) %}
    {{ return(adapter.dispatch('safe_cast', 'nrr_engine')(expression, data_type)) }}
{% endmacro %}

{% macro default__safe_cast(expression, data_type) -%}
    cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro duckdb__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
