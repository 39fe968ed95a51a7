{#-
    numerator / denominator as a double, null when the denominator is zero or null: the shares of
    the key-metric scorecard, which compares them with targets and needs no fixed decimals
    (docs/definitions.md#key-metrics-scorecard). safe_ratio gives the 6-decimal retention type.
-#}
{% macro safe_ratio_double(numerator, denominator) -%}
    cast(
        case
            when ({{ denominator }}) > 0
                then 1.0 * ({{ numerator }}) / ({{ denominator }})
        end as {{ double_type() }}
    )
{%- endmacro %}
