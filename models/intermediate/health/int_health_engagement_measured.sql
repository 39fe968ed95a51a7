{#-
    Engagement trajectory signals per account and snapshot (docs/definitions.md#health-signals):
    the direction of use (sessions and session depth against the 30 days before), discovery of
    new features, and whether the champion and the executive sponsor still use the product.
    The windows are rows of seeds/health_signal_windows.csv, read at run time.
-#}
{{ config(
    materialized='incremental',
    post_hook="{{ delete_snapshots_not_in(ref('int_account_snapshots_listed')) }}",
    **incremental_by_day_config(unique_key='snapshot_date', day_column='snapshot_date'),
) }}

with

snapshots as (
    select * from {{ ref('int_account_snapshots_listed') }}
    {{ incremental_snapshot_filter() }}
),

windows as (
    -- only the snapshots this run computes, so the daily data joins to those windows only
    select * from {{ ref('int_health_snapshot_windows_listed') }}
    {{ incremental_snapshot_filter() }}
),

signal_windows as (
    select * from {{ ref('health_signal_windows') }}
),

sessions as (
    select * from {{ ref('int_usage_sessions_aggregated') }}
),

feature_days as (
    select * from {{ ref('int_usage_account_feature_days_aggregated') }}
),

users as (
    select * from {{ ref('stg_raw__users') }}
),

window_lengths as (
    -- this model's windows of the seed, as one row
    select {{ signal_window_columns([
        'usage_trend_recent', 'usage_trend_earlier', 'feature_discovery', 'stakeholder_activity'
    ]) }}
    from signal_windows
),

trend_days as (
    -- the days of the recent and earlier usage-trend windows before each snapshot
    select
        windows.snapshot_date,
        windows.window_day,
        {{ in_signal_window('usage_trend_recent') }} as is_recent,
        {{ in_signal_window('usage_trend_earlier') }} as is_earlier
    from windows
    cross join window_lengths
    where {{ in_signal_window('usage_trend_recent') }}
        or {{ in_signal_window('usage_trend_earlier') }}
),

discovery_days as (
    select
        windows.snapshot_date,
        windows.window_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('feature_discovery') }}
),

stakeholder_days as (
    select
        windows.snapshot_date,
        windows.window_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('stakeholder_activity') }}
),

session_windows as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(case when trend_days.is_recent then 1 end) as recent_sessions,
        count(case when trend_days.is_earlier then 1 end) as earlier_sessions,
        avg(case when trend_days.is_recent then sessions.distinct_features end) as recent_depth,
        avg(case when trend_days.is_earlier then sessions.distinct_features end) as earlier_depth
    from sessions
    inner join trend_days
        on sessions.usage_date = trend_days.window_day
    inner join snapshots
        on sessions.account_id = snapshots.account_id
        and trend_days.snapshot_date = snapshots.snapshot_date
    group by snapshots.account_id, snapshots.snapshot_date
),

first_uses as (
    select
        account_id,
        feature,
        min(usage_date) as first_used_on
    from feature_days
    group by account_id, feature
),

discoveries as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(*) as features_discovered
    from first_uses
    inner join discovery_days
        on first_uses.first_used_on = discovery_days.window_day
    inner join snapshots
        on first_uses.account_id = snapshots.account_id
        and discovery_days.snapshot_date = snapshots.snapshot_date
    group by snapshots.account_id, snapshots.snapshot_date
),

stakeholder_sessions as (
    -- the session days of champions and executive sponsors, with the user's active period
    select
        sessions.account_id,
        sessions.usage_date,
        users.role,
        users.created_at,
        users.deactivated_at
    from sessions
    inner join users
        on sessions.account_id = users.account_id
        and sessions.user_id = users.user_id
    where users.role in ('champion', 'executive_sponsor')
),

stakeholder_use as (
    -- the last day in the stakeholder window that each role's users (still active at the
    -- snapshot) used the product; longer ago scores 0 anyway, so the window bounds the work
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        max(case when stakeholder_sessions.role = 'champion' then stakeholder_sessions.usage_date end)
            as champion_last_seen,
        max(case
            when stakeholder_sessions.role = 'executive_sponsor'
                then stakeholder_sessions.usage_date
        end) as sponsor_last_seen
    from stakeholder_sessions
    inner join stakeholder_days
        on stakeholder_sessions.usage_date = stakeholder_days.window_day
    inner join snapshots
        on stakeholder_sessions.account_id = snapshots.account_id
        and stakeholder_days.snapshot_date = snapshots.snapshot_date
    where stakeholder_sessions.created_at < snapshots.snapshot_date
        and (
            stakeholder_sessions.deactivated_at is null
            or stakeholder_sessions.deactivated_at >= snapshots.snapshot_date
        )
    group by snapshots.account_id, snapshots.snapshot_date
),

measured as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        case
            when coalesce(session_windows.earlier_sessions, 0) = 0
                and coalesce(session_windows.recent_sessions, 0) = 0 then 0.0
            -- use where there was none: as good as it gets
            when coalesce(session_windows.earlier_sessions, 0) = 0 then 2.0
            else 1.0 * session_windows.recent_sessions / session_windows.earlier_sessions
        end as usage_trend,
        -- depth needs sessions in both windows; without them usage_trend says it all
        session_windows.recent_depth / nullif(session_windows.earlier_depth, 0)
            as session_depth_trend,
        1.0 * coalesce(discoveries.features_discovered, 0) as new_features_discovered,
        -- capped at the stakeholder window: also the value without an active champion (or
        -- sponsor) or when they have not used the product in that window
        1.0 * coalesce(
            {{ dbt.datediff('stakeholder_use.champion_last_seen', 'snapshots.snapshot_date', 'day') }},
            window_lengths.stakeholder_activity_offset_days + window_lengths.stakeholder_activity_days
        ) as champion_activity,
        1.0 * coalesce(
            {{ dbt.datediff('stakeholder_use.sponsor_last_seen', 'snapshots.snapshot_date', 'day') }},
            window_lengths.stakeholder_activity_offset_days + window_lengths.stakeholder_activity_days
        ) as executive_sponsor_activity
    from snapshots
    cross join window_lengths
    left join session_windows
        on snapshots.account_id = session_windows.account_id
        and snapshots.snapshot_date = session_windows.snapshot_date
    left join discoveries
        on snapshots.account_id = discoveries.account_id
        and snapshots.snapshot_date = discoveries.snapshot_date
    left join stakeholder_use
        on snapshots.account_id = stakeholder_use.account_id
        and snapshots.snapshot_date = stakeholder_use.snapshot_date
),

final as (
    -- every signal as a double, whatever arithmetic produced it
    select
        account_id,
        snapshot_date,
    {%- for signal in health_signal_names()['engagement'] %}
        cast({{ signal }} as {{ double_type() }}) as {{ signal }}{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from measured
)

select * from final
