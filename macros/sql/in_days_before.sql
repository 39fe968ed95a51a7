{#-
    True when `column` falls in the `days` days before `snapshot_date` (the snapshot day itself
    excluded: a snapshot sees only data dated before it). `offset_days` shifts the window back,
    for "the 30 days before the last 30": in_days_before(col, snap, 30, offset_days=30).
-#}
{% macro in_days_before(column, snapshot_date, days, offset_days=0) -%}
    (
        {{ column }} >= {{ dbt.dateadd('day', -(days + offset_days), snapshot_date) }}
        and {{ column }} < {{ dbt.dateadd('day', -offset_days, snapshot_date) if offset_days else snapshot_date }}
    )
{%- endmacro %}
