{#- Column type of retention ratios (NRR, GRR, logo retention): an exact decimal, 6 places. -#}
{% macro ratio_type() -%}
    decimal(12, 6)
{%- endmacro %}
