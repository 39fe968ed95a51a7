{#-
    The SQL type of a raw contract type (string | integer | number | boolean | date | timestamp,
    `config.meta.contract.type` in `_raw__sources.yml`), through dbt's cross-database type
    macros. One map for every reader: the contract check casts to it and an absent column is a
    typed null or default of it.
-#}
{% macro contract_sql_type(data_type) %}
    {%- set sql_types = {
        'string': dbt.type_string(),
        'integer': dbt.type_bigint(),
        'number': dbt.type_numeric(),
        'boolean': dbt.type_boolean(),
        'date': 'date',
        'timestamp': dbt.type_timestamp(),
    } -%}
    {%- if data_type not in sql_types -%}
        {{ exceptions.raise_compiler_error(
            "raw contract type '" ~ data_type ~ "' is not one of " ~ sql_types.keys() | join(', ')) }}
    {%- endif -%}
    {{ return(sql_types[data_type]) }}
{% endmacro %}
