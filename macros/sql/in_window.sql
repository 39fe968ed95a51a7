{#-
    True for the rows of `int_health_snapshot_windows_listed` (alias `windows_alias`) in the
    `days` days before the snapshot, the snapshot day excluded; `offset_days` shifts the window
    back, for "the 30 days before the last 30": in_window(30, offset_days=30). The same days as
    in_days_before(column, snapshot_date, days, offset_days) once the data is joined on its day.
    `days` and `offset_days` are numbers or SQL expressions as strings (the columns of a
    window of seeds/health_signal_windows.csv joined at run time, see signal_window_columns).
-#}
{% macro in_window(days, offset_days=0, windows_alias='windows') -%}
    {%- if days is string or offset_days is string -%}
        {{ windows_alias }}.days_before between ({{ offset_days }}) + 1 and ({{ offset_days }}) + ({{ days }})
    {%- else -%}
        {{ windows_alias }}.days_before between {{ offset_days + 1 }} and {{ offset_days + days }}
    {%- endif -%}
{%- endmacro %}
