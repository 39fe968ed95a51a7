{#-
    The largest raw table, checked once into an incremental table: staging, the usage aggregates
    and the audit trail read the result, and a later run re-checks only the last
    `usage_lookback_days` days of events (docs/definitions.md#incremental-runs).
-#}
{{ config(
    materialized='incremental',
    **incremental_by_day_config(unique_key='check_day', day_column='check_day'),
) }}

{{ check_raw_contract(
    source('raw', 'usage_events'),
    accepted_accounts=ref('stg_raw__accounts'),
    check_day_column='occurred_at',
) }}
