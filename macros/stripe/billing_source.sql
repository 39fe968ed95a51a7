{#-
    The billing source of this run, the var `billing_source`: `raw_files` (the default: the raw
    contract's files) or `stripe` (Fivetran's Stripe tables, mapped by the stg_stripe__ models).
    Any other value stops the run with the accepted ones.
-#}
{% macro billing_source() %}
    {%- set value = var('billing_source', 'raw_files') -%}
    {%- if value not in ('raw_files', 'stripe') -%}
        {{ exceptions.raise_compiler_error(
            "var billing_source is '" ~ value ~ "'; it must be raw_files (the raw exports) or "
            ~ "stripe (Fivetran's Stripe tables; docs/map_your_exports.md)") }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
