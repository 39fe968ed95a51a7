{#-
    numerator / denominator as a ratio, null when the denominator is zero or null (a cohort with
    no starting ARR has no retention, not a retention of 0).
-#}
{% macro safe_ratio(numerator, denominator) -%}
    cast(
        case
            when {{ denominator }} > 0
                then 1.0 * {{ numerator }} / {{ denominator }}
        end as {{ ratio_type() }}
    )
{%- endmacro %}
