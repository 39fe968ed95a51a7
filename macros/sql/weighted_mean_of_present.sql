{#-
    Weighted mean of the non-null `<name><score_suffix>` columns, each weighted by
    `<name><weight_suffix>`: a missing score drops out and its weight is shared among the
    present ones (docs/definitions.md#health-scores). Null when every score is missing.
-#}
{% macro weighted_mean_of_present(names, score_suffix, weight_suffix) -%}
    (
        {%- for name in names %}
        coalesce({{ name }}{{ score_suffix }} * {{ name }}{{ weight_suffix }}, 0){{ " +" if not loop.last }}
        {%- endfor %}
    ) / nullif(
        {%- for name in names %}
        case when {{ name }}{{ score_suffix }} is not null then {{ name }}{{ weight_suffix }} else 0 end
        {{- " +" if not loop.last }}
        {%- endfor %}
    , 0)
{%- endmacro %}
