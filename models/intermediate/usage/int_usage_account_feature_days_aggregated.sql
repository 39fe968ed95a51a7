{#-
    Usage events aggregated once to account x feature x day: every usage signal reads this, never
    the raw events. Only plain counts and the day's first event time (onboarding milestones): a distinct count per group costs several times the whole
    aggregation on tens of millions of events (sessions and users are in
    int_usage_sessions_aggregated). Incremental: a run re-reads only the last `usage_lookback_days` days before
    the latest day already loaded (late events), and replaces those days.
-#}
{{ config(
    materialized='incremental',
    **incremental_by_day_config(unique_key=['account_id', 'usage_date'], day_column='usage_date'),
) }}

with

usage_events as (
    select * from {{ ref('stg_raw__usage_events') }}
    {{ incremental_usage_filter() }}
),

final as (
    select
        account_id,
        feature,
        cast(occurred_at as date) as usage_date,
        count(*) as events,
        min(occurred_at) as first_event_at
    from usage_events
    group by account_id, feature, cast(occurred_at as date)
)

select * from final
