{#-
    The windows named in `window_names` of the seed health_signal_windows (alias
    `seed_alias`) as columns of one row: `<name>_days` and `<name>_offset_days` each. Select it
    from the seed in a one-row CTE and cross join it where a signal keeps its window:
    in_window('w.usage_trend_recent_days', 'w.usage_trend_recent_offset_days'). A window
    missing from the seed is null and fails the seed's data test first.
-#}
{% macro signal_window_columns(window_names, seed_alias='signal_windows') -%}
    {%- for name in window_names %}
        max(case when {{ seed_alias }}.window_name = '{{ name }}' then {{ seed_alias }}.days end)
            as {{ name }}_days,
        max(case when {{ seed_alias }}.window_name = '{{ name }}' then {{ seed_alias }}.offset_days end)
            as {{ name }}_offset_days{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
