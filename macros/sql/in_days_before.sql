{#-
    True when `column` falls in the `days` days before `snapshot_date` (the snapshot day itself
    excluded: a snapshot sees only data dated before it). `offset_days` shifts the window back,
    for "the 30 days before the last 30": in_days_before(col, snap, 30, offset_days=30).
    `days` and `offset_days` are numbers, or SQL expressions as strings (a column of a rules
    seed joined at run time, e.g. 'rules.executive_touch_lookback_days').
-#}
{% macro in_days_before(column, snapshot_date, days, offset_days=0) -%}
    {%- if days is string or offset_days is string -%}
        {%- set back = '-1 * (' ~ days ~ ' + ' ~ offset_days ~ ')' -%}
        {%- set until = '-1 * (' ~ offset_days ~ ')' -%}
    {%- else -%}
        {%- set back = -(days + offset_days) -%}
        {%- set until = -offset_days -%}
    {%- endif -%}
    (
        {{ column }} >= {{ dbt.dateadd('day', back, snapshot_date) }}
        and {{ column }} < {{ dbt.dateadd('day', until, snapshot_date) if offset_days else snapshot_date }}
    )
{%- endmacro %}
