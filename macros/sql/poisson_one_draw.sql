{#-
    A Poisson(1) count from a uniform number in [0, 1), by the inverse of the Poisson(1) CDF:
    0 below e^-1, 1 below e^-1 * (1 + 1), ... up to 7 (P(X > 7) < 0.00002, under the 1/65536 step
    of hash_uniform). The weight of one observation in one replicate of a Poisson bootstrap:
    each observation is drawn Poisson(1) times, independently, which needs no resampling join.
-#}
{% macro poisson_one_draw(uniform_expression) -%}
    {%- set term = namespace(probability=0.36787944117144233, cumulative=0.0) -%}
    case
    {%- for count in range(7) %}
        {%- if count > 0 %}{% set term.probability = term.probability / count %}{% endif %}
        {%- set term.cumulative = term.cumulative + term.probability %}
        when {{ uniform_expression }} < {{ '%.10f' | format(term.cumulative) }} then {{ count }}
    {%- endfor %}
        else 7
    end
{%- endmacro %}
