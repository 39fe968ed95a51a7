{#-
    numerator / denominator, null when the denominator is zero or null (a cohort with no starting
    ARR has no retention, not a retention of 0). Cast to the 6-decimal retention type, or to
    `as_type` when given: the key-metric scorecard's shares are compared with targets and need no
    fixed decimals (double_type(); docs/definitions.md#key-metrics-scorecard).
-#}
{% macro safe_ratio(numerator, denominator, as_type=none) -%}
    cast(
        case
            when ({{ denominator }}) > 0
                then 1.0 * ({{ numerator }}) / ({{ denominator }})
        end as {{ as_type if as_type is not none else ratio_type() }}
    )
{%- endmacro %}
