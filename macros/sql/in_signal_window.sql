{#-
    True for the rows of `int_health_snapshot_windows_listed` (alias `windows_alias`) in the
    window `window_name` of seeds/health_signal_windows.csv, read at run time from the one-row
    CTE `lengths_alias` that signal_window_columns built: in_signal_window('feature_discovery').
-#}
{% macro in_signal_window(window_name, lengths_alias='window_lengths', windows_alias='windows') -%}
    {{ in_window(
        lengths_alias ~ '.' ~ window_name ~ '_days',
        lengths_alias ~ '.' ~ window_name ~ '_offset_days',
        windows_alias=windows_alias,
    ) }}
{%- endmacro %}
