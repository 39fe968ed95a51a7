{#-
    The raw contract tables a billing source other than the raw files replaces: with
    `billing_source: stripe` their base models read stg_stripe__<table> instead of the raw file,
    and the raw files of these tables are not read.
-#}
{% macro billing_tables() %}
    {{ return(['accounts', 'fx_rates', 'subscription_line_items', 'invoices']) }}
{% endmacro %}
