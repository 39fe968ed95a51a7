{#-
    The filter of the incremental usage aggregates: on an incremental run, only events from
    `usage_lookback_days` days before the latest day already loaded (late events land there), so
    each event is read once in a full build and only new days are read after that. The model
    must use incremental_by_day_config on (account_id, usage_date), day usage_date, so re-read
    days replace their rows.
-#}
{% macro incremental_usage_filter(timestamp_column='occurred_at') -%}
    {%- if is_incremental() -%}
    where cast({{ timestamp_column }} as date) >= (
        select {{ dbt.dateadd('day', -var('usage_lookback_days'), 'max(loaded.usage_date)') }}
        from {{ this }} as loaded
    )
    {%- endif -%}
{%- endmacro %}
