{#-
    Product adoption signals per account and snapshot (docs/definitions.md#health-signals): how
    broadly and deeply the product is used, not how often. Only data dated before the snapshot.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='snapshot_date',
    post_hook="{{ delete_snapshots_not_in(ref('int_account_snapshots_listed')) }}",
) }}

with

snapshots as (
    select * from {{ ref('int_account_snapshots_listed') }}
    {{ incremental_snapshot_filter() }}
),

feature_days as (
    select * from {{ ref('int_usage_account_feature_days_aggregated') }}
),

sessions as (
    select * from {{ ref('int_usage_sessions_aggregated') }}
),

catalogue as (
    select * from {{ ref('feature_catalogue') }}
),

users as (
    select * from {{ ref('stg_raw__users') }}
),

integrations as (
    select * from {{ ref('stg_raw__integrations') }}
),

core_feature_count as (
    select count(*) as core_features from catalogue
    where tier = 'core'
),

recent_features as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(distinct case when catalogue.tier = 'core' then feature_days.feature end)
            as core_features_used,
        sum(feature_days.events) as events,
        sum(case when catalogue.tier in ('advanced', 'workflow') then feature_days.events end)
            as deep_events
    from snapshots
    inner join feature_days
        on snapshots.account_id = feature_days.account_id
        and {{ in_days_before('feature_days.usage_date', 'snapshots.snapshot_date', 30) }}
    left join catalogue
        on feature_days.feature = catalogue.feature
    group by snapshots.account_id, snapshots.snapshot_date
),

recent_sessions as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(distinct sessions.user_id) as active_users,
        count(case when sessions.used_workflow then 1 end) as workflow_sessions
    from snapshots
    inner join sessions
        on snapshots.account_id = sessions.account_id
        and {{ in_days_before('sessions.usage_date', 'snapshots.snapshot_date', 30) }}
    group by snapshots.account_id, snapshots.snapshot_date
),

licensed_seats as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(*) as seats
    from snapshots
    inner join users
        on snapshots.account_id = users.account_id
        and users.is_licensed
        and snapshots.snapshot_date > users.created_at
        and (users.deactivated_at is null or snapshots.snapshot_date <= users.deactivated_at)
    group by snapshots.account_id, snapshots.snapshot_date
),

connected as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(*) as integrations
    from snapshots
    inner join integrations
        on snapshots.account_id = integrations.account_id
        and snapshots.snapshot_date > integrations.connected_at
        and (
            integrations.disconnected_at is null
            or snapshots.snapshot_date <= integrations.disconnected_at
        )
    group by snapshots.account_id, snapshots.snapshot_date
),

measured as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        -- no use in 30 days is a real value (0), not missing data
        1.0 * coalesce(recent_features.core_features_used, 0)
        / nullif(core_feature_count.core_features, 0) as feature_breadth,
        coalesce(1.0 * recent_features.deep_events / nullif(recent_features.events, 0), 0)
            as feature_depth,
        1.0 * coalesce(connected.integrations, 0) as integrations_connected,
        -- without a licensed seat there is nothing to penetrate: missing
        1.0 * coalesce(recent_sessions.active_users, 0) / nullif(licensed_seats.seats, 0)
            as seat_penetration,
        1.0 * coalesce(recent_sessions.workflow_sessions, 0) as workflows_created
    from snapshots
    cross join core_feature_count
    left join recent_features
        on snapshots.account_id = recent_features.account_id
        and snapshots.snapshot_date = recent_features.snapshot_date
    left join recent_sessions
        on snapshots.account_id = recent_sessions.account_id
        and snapshots.snapshot_date = recent_sessions.snapshot_date
    left join licensed_seats
        on snapshots.account_id = licensed_seats.account_id
        and snapshots.snapshot_date = licensed_seats.snapshot_date
    left join connected
        on snapshots.account_id = connected.account_id
        and snapshots.snapshot_date = connected.snapshot_date
),

final as (
    -- every signal as a double, whatever arithmetic produced it
    select
        account_id,
        snapshot_date,
    {%- for signal in health_signal_names()['adoption'] %}
        cast({{ signal }} as {{ double_type() }}) as {{ signal }}{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from measured
)

select * from final
