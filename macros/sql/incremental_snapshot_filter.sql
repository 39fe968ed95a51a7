{#-
    The filter of the incremental health-snapshot models: on an incremental run, only snapshots
    dated after `health_restate_days` days before the latest snapshot already stored. A snapshot
    dated D reads only data dated before D, so new data (and usage events up to
    `usage_lookback_days` late) can change only the latest snapshots; older history is read, not
    recomputed (docs/definitions.md#incremental-runs). The model must use
    incremental_by_day_config on `snapshot_date` (delete+insert by default), so each recomputed
    date replaces all of its rows, and
    `delete_snapshots_not_in` as a post-hook, so dates that left the spine (the previous run's
    as_of_date) go.
-#}
{% macro incremental_snapshot_filter(snapshot_column='snapshot_date') -%}
    {%- if var('health_restate_days') < var('usage_lookback_days') -%}
        {{ exceptions.raise_compiler_error(
            "var health_restate_days (" ~ var('health_restate_days') ~ ") must be at least "
            ~ "usage_lookback_days (" ~ var('usage_lookback_days') ~ "): late events would "
            ~ "change snapshots an incremental run does not recompute") }}
    {%- endif -%}
    {%- if is_incremental() -%}
    where {{ snapshot_column }} > (
        select {{ dbt.dateadd('day', -var('health_restate_days'), 'max(stored.' ~ snapshot_column ~ ')') }}
        from {{ this }} as stored
    )
    {%- endif -%}
{%- endmacro %}
