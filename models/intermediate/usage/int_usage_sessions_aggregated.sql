{#-
    Usage events aggregated once to session x day (a session that crosses midnight counts once
    per day): who used the product, how deeply (distinct features) and whether a workflow
    feature was used. Incremental like int_usage_account_feature_days_aggregated.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'usage_date'],
) }}

with

usage_events as (
    select * from {{ ref('stg_raw__usage_events') }}
    {{ incremental_usage_filter() }}
),

features as (
    select * from {{ ref('feature_catalogue') }}
),

final as (
    select
        usage_events.account_id,
        usage_events.session_id,
        cast(usage_events.occurred_at as date) as usage_date,
        min(usage_events.user_id) as user_id,
        count(*) as events,
        count(distinct usage_events.feature) as distinct_features,
        count(case when features.tier = 'workflow' then 1 end) > 0 as used_workflow
    from usage_events
    left join features
        on usage_events.feature = features.feature
    group by usage_events.account_id, usage_events.session_id, cast(usage_events.occurred_at as date)
)

select * from final
