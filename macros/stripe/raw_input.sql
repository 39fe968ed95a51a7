{#-
    The relation a raw contract table is read from: `source('raw', table)`, or with
    `billing_source: stripe` and a billing table (billing_tables()), the Stripe mapping
    `ref('stg_stripe__' ~ table)`, which has exactly the contract's columns. The base models and
    the row reconciliation read through this, so the contract check, the quarantine and
    everything downstream apply to the mapped rows unchanged.
-#}
{% macro raw_input(table) %}
    {%- if billing_source() == 'stripe' and table in billing_tables() -%}
        {{ return(ref('stg_stripe__' ~ table)) }}
    {%- endif -%}
    {{ return(source('raw', table)) }}
{% endmacro %}
