{#-
    SQL expression for a raw column that is absent from its file, typed as its contract says: its
    contract `default` when it has one, else null (the column is `nullable`). Callers only use it
    for columns that may be absent (docs/definitions.md#required-and-optional-input).

    Arguments:
      column: the column node of the `raw` source (its `config.meta.contract`)
      use_default: false for a typed null whatever the contract (the columns of an absent table,
        which has no rows)
-#}
{% macro raw_absent_column(column, use_default=true) %}
    {%- set contract = _contract(column) -%}
    {%- set data_type = contract.get('type', 'string') -%}
    {%- if use_default and 'default' in contract -%}
        {%- set value = contract['default'] -%}
        {%- if value is number or value is boolean -%}
            {%- set literal = value | string | lower -%}
        {%- else -%}
            {%- set literal = "'" ~ (value | string).replace("'", "''") ~ "'" -%}
        {%- endif -%}
    {%- else -%}
        {%- set literal = 'null' -%}
    {%- endif -%}
    {{ return(dbt.cast(literal, contract_sql_type(data_type))) }}
{% endmacro %}
