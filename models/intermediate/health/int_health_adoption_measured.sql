{#-
    Product adoption signals per account and snapshot (docs/definitions.md#health-signals): how
    broadly and deeply the product is used, not how often. Only data dated before the snapshot,
    in the window `adoption_recent` of seeds/health_signal_windows.csv (read at run time).
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

window_lengths as (
    -- this model's window of the seed, as one row
    select {{ signal_window_columns(['adoption_recent']) }}
    from signal_windows
),

recent_days as (
    -- the days of the adoption window before each snapshot
    select
        windows.snapshot_date,
        windows.window_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('adoption_recent') }}
),

core_feature_count as (
    select count(*) as core_features from catalogue
    where tier = 'core'
),

core_feature_bits as (
    -- each core feature as one bit: the distinct core features of a window are then the bits
    -- of a bitwise or, a plain aggregate, instead of a distinct count per account and snapshot
    select
        feature,
        cast(power(2, row_number() over (order by feature) - 1) as {{ dbt.type_bigint() }})
            as feature_bit
    from catalogue
    where tier = 'core'
),

account_days as (
    select
        feature_days.account_id,
        feature_days.usage_date,
        coalesce({{ bit_or_agg('core_feature_bits.feature_bit') }}, 0) as core_feature_bits,
        sum(feature_days.events) as events,
        sum(case when catalogue.tier in ('advanced', 'workflow') then feature_days.events end)
            as deep_events
    from feature_days
    left join catalogue
        on feature_days.feature = catalogue.feature
    left join core_feature_bits
        on feature_days.feature = core_feature_bits.feature
    group by feature_days.account_id, feature_days.usage_date
),

recent_features as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        {{ count_bits(bit_or_agg('account_days.core_feature_bits')) }} as core_features_used,
        sum(account_days.events) as events,
        sum(account_days.deep_events) as deep_events
    from account_days
    inner join recent_days
        on account_days.usage_date = recent_days.window_day
    inner join snapshots
        on account_days.account_id = snapshots.account_id
        and recent_days.snapshot_date = snapshots.snapshot_date
    group by snapshots.account_id, snapshots.snapshot_date
),

window_users as (
    -- each user's sessions in the adoption window before each snapshot
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        sessions.user_id,
        count(case when sessions.used_workflow then 1 end) as workflow_sessions
    from sessions
    inner join recent_days
        on sessions.usage_date = recent_days.window_day
    inner join snapshots
        on sessions.account_id = snapshots.account_id
        and recent_days.snapshot_date = snapshots.snapshot_date
    group by snapshots.account_id, snapshots.snapshot_date, sessions.user_id
),

recent_sessions as (
    select
        account_id,
        snapshot_date,
        count(user_id) as active_users,
        sum(workflow_sessions) as workflow_sessions
    from window_users
    group by account_id, snapshot_date
),

seat_changes as (
    -- a licensed user holds a seat on the days D with created_at < D <= deactivated_at: +1 from
    -- the day after creation, -1 from the day after deactivation
    select
        account_id,
        cast({{ dbt.dateadd('day', 1, 'cast(created_at as date)') }} as date) as effective_on,
        1 as seat_change
    from users
    where is_licensed
    union all
    select
        account_id,
        cast({{ dbt.dateadd('day', 1, 'cast(deactivated_at as date)') }} as date) as effective_on,
        -1 as seat_change
    from users
    where is_licensed and deactivated_at is not null
),

seat_timeline as (
    -- seat changes and snapshots of each account on one timeline: the running sum of changes
    -- at a snapshot is its seat count (a join from every snapshot to every user would cost
    -- accounts x snapshots x users); changes sort before a snapshot on the same day
    select
        account_id,
        effective_on as timeline_date,
        seat_change,
        0 as is_snapshot
    from seat_changes
    union all
    select
        account_id,
        snapshot_date as timeline_date,
        0 as seat_change,
        1 as is_snapshot
    from snapshots
),

seats_running as (
    select
        account_id,
        timeline_date,
        is_snapshot,
        sum(seat_change) over (
            partition by account_id
            order by timeline_date, is_snapshot
            rows between unbounded preceding and current row
        ) as seats
    from seat_timeline
),

licensed_seats as (
    select
        account_id,
        timeline_date as snapshot_date,
        seats
    from seats_running
    where is_snapshot = 1
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
        -- no use in the window is a real value (0), not missing data
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
