{#-
    Incremental strategy `replace_all`: the model's new result replaces every stored row (one
    transaction: delete, then insert). For an incremental model that computes its whole result
    each run but reuses its previous rows to get there cheaply: the feedback classification
    (python_models/feedback), which reads its previous table to classify only new or changed
    texts and returns the classification of the whole current corpus. A plain append or
    delete+insert would keep the rows of texts that left the corpus. Used only by those DuckDB
    Python models (other warehouses run no dbt Python models).
-#}
{% macro get_incremental_replace_all_sql(arg_dict) -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    delete from {{ arg_dict["target_relation"] }};
    insert into {{ arg_dict["target_relation"] }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ arg_dict["temp_relation"] }}
    )
{%- endmacro %}
