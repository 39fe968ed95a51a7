{#-
    A signal's value mapped to 0-100 on a straight line from `worst` (0) to `best` (100),
    clamped at both ends (docs/definitions.md#health-scores). `worst` may be above `best` for
    signals where less is better. A null value stays null: the signal is missing.
-#}
{% macro ramp_score(value, worst, best) -%}
    case
        when {{ value }} is null then null
        when {{ best }} = {{ worst }} then null
        else 100 * greatest(0, least(1,
            ({{ value }} - {{ worst }}) / ({{ best }} - {{ worst }})
        ))
    end
{%- endmacro %}
