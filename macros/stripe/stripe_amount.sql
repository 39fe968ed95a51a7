{#-
    A Stripe amount (an integer in the currency's minor unit) in currency units: divided by 100,
    except in the zero-decimal currencies (var stripe_zero_decimal_currencies, e.g. JPY), which
    Stripe writes in whole units. A value that does not cast is null (the contract check then
    quarantines the row).
-#}
{% macro stripe_amount(amount, currency) %}
    {%- set zero_decimal = [] -%}
    {%- for code in var('stripe_zero_decimal_currencies') -%}
        {%- do zero_decimal.append("'" ~ code | upper ~ "'") -%}
    {%- endfor -%}
    {%- set number = safe_cast(amount, dbt.type_numeric()) -%}
    {{ return("case when upper(trim(cast(" ~ currency ~ " as " ~ dbt.type_string() ~ "))) in ("
        ~ zero_decimal | join(', ') ~ ") then " ~ number ~ " else " ~ number ~ " / 100 end") }}
{% endmacro %}
