{#-
    Usage events aggregated once to session x day (a session that crosses midnight counts once
    per day): who used the product, how deeply (distinct features) and whether a workflow
    feature was used. Incremental like int_usage_account_feature_days_aggregated.
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

features as (
    select * from {{ ref('feature_catalogue') }}
),

session_features as (
    -- first per session, day and feature, so that distinct features is a plain count below
    select
        usage_events.account_id,
        usage_events.session_id,
        cast(usage_events.occurred_at as date) as usage_date,
        usage_events.feature,
        min(usage_events.user_id) as user_id,
        count(*) as events,
        min(usage_events.occurred_at) as first_event_at
    from usage_events
    group by
        usage_events.account_id,
        usage_events.session_id,
        cast(usage_events.occurred_at as date),
        usage_events.feature
),

final as (
    select
        session_features.account_id,
        session_features.session_id,
        session_features.usage_date,
        min(session_features.user_id) as user_id,
        cast(sum(session_features.events) as {{ dbt.type_bigint() }}) as events,
        min(session_features.first_event_at) as first_event_at,
        count(session_features.feature) as distinct_features,
        count(case when features.tier = 'workflow' then 1 end) > 0 as used_workflow
    from session_features
    left join features
        on session_features.feature = features.feature
    group by session_features.account_id, session_features.session_id, session_features.usage_date
)

select * from final
