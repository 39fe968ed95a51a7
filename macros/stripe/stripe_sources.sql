{#-
    The Stripe tables a mapping reads for one object that Fivetran writes under two names:
    `subscription` (subscription_history, or the older subscription) and `price` (price, or the
    legacy plan). Both by default: on DuckDB every table of the stripe source is a view (empty
    when its file is absent); on a warehouse that holds only one of them, set the var
    stripe_using_subscription_history / stripe_using_price to true or false.
-#}
{% macro stripe_sources(object) %}
    {%- set choices = {
        'subscription': ('stripe_using_subscription_history', 'subscription_history', 'subscription'),
        'price': ('stripe_using_price', 'price', 'plan'),
    } -%}
    {%- set var_name, newer, older = choices[object] -%}
    {%- set using_newer = var(var_name, none) -%}
    {%- if using_newer is none -%}
        {{ return([newer, older]) }}
    {%- endif -%}
    {{ return([newer] if using_newer else [older]) }}
{% endmacro %}
