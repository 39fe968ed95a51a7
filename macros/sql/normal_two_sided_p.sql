{#-
    The two-sided p-value of a standard normal statistic z: 2 (1 - Phi(|z|)), with Phi from
    Abramowitz and Stegun 26.2.17 (absolute error below 7.5e-8). Plain arithmetic and exp(), so
    it runs on every warehouse (none has a portable normal CDF); 2.50662... is sqrt(2 pi).
    Null when z is null.
-#}
{% macro normal_two_sided_p(z) -%}
    (
        2 * exp(-0.5 * ({{ z }}) * ({{ z }})) / 2.5066282746310002
        * (
            0.319381530 * (1 / (1 + 0.2316419 * abs({{ z }})))
            - 0.356563782 * power(1 / (1 + 0.2316419 * abs({{ z }})), 2)
            + 1.781477937 * power(1 / (1 + 0.2316419 * abs({{ z }})), 3)
            - 1.821255978 * power(1 / (1 + 0.2316419 * abs({{ z }})), 4)
            + 1.330274429 * power(1 / (1 + 0.2316419 * abs({{ z }})), 5)
        )
    )
{%- endmacro %}
