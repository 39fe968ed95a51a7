{#-
    A bound of the Katz log interval of the risk ratio (a / n1) / (c / n0): exp(ln RR +- z se),
    se = sqrt(1/a - 1/n1 + 1/c - 1/n0). `sign` is -1 for the lower bound, 1 for the upper. Null
    when a group is empty or has no event (the log is undefined).
-#}
{% macro risk_ratio_bound(a, n1, c, n0, z, sign) -%}
    case
        when {{ a }} > 0 and {{ c }} > 0 and {{ n1 }} > 0 and {{ n0 }} > 0
            then exp(
                ln((1.0 * {{ a }} / {{ n1 }}) / (1.0 * {{ c }} / {{ n0 }}))
                + ({{ sign }}) * {{ z }}
                * sqrt(1.0 / {{ a }} - 1.0 / {{ n1 }} + 1.0 / {{ c }} - 1.0 / {{ n0 }})
            )
    end
{%- endmacro %}
