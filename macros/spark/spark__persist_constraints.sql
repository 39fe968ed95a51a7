{#-
    Contract constraints on Spark only on Delta tables. dbt-spark applies them when a model's
    `file_format` config is delta or unset, but its table materializations default to parquet,
    whose tables take no `ALTER COLUMN ... SET NOT NULL`: every contracted mart failed after its
    table was written. Parquet tables here (Delta needs JARs from Maven) keep their contract's
    column names and types, checked by dbt before the build; the `not_null` constraints are not
    enforced on them (dbt-spark reports constraints as not enforced on Spark in any case).
    Overrides dbt-spark's macro of the same name (root-project macros take precedence in the
    `dbt` namespace).
-#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced and config.get('file_format', 'parquet') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- endif -%}
{% endmacro %}
