{#-
    dbt.listagg on Spark with its order. dbt-spark's variant ignores the order-by clause (with a
    warning) and collects in whatever order the rows arrive: the joined lists (what changed in
    an alert, the example accounts of a plausibility check, limited to the first few) would
    differ from the other warehouses' and from run to run. Spark 4's
    `listagg(...) within group (order by ...)` keeps the order; with a limit the ordered list
    is joined on chr(1) (in no value), split, sliced and joined again with the delimiter.
    Overrides dbt-spark's macro of the same name (root-project macros take precedence in the
    `dbt` namespace).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set ordered = ' within group (' ~ order_by_clause ~ ')' if order_by_clause else '' -%}
    {%- if limit_num -%}
        array_join(slice(split(listagg({{ measure }}, chr(1)){{ ordered }}, chr(1)), 1, {{ limit_num }}), {{ delimiter_text }})
    {%- else -%}
        listagg({{ measure }}, {{ delimiter_text }}){{ ordered }}
    {%- endif -%}
{%- endmacro %}
