{#-
    Intervention episodes (docs/definitions.md#interventions): one row per account episode at a
    playbook risk level, from the weekly health snapshots (int_intervention_snapshots_leveled).
    An episode opens at the first Monday an account enters a level since its last recovery (at
    most one episode between two recoveries):
    early warning (at_risk band and trending down), active save (critical band), executive
    escalation (churning band, or a renewal within 90 days whose latest checkpoint is rated red).
    Its level only rises: to the level the score reaches, or after `escalate_after_days` at a
    level without improvement (the score not above the score that many days earlier; 14 days
    early warning -> active save, 21 days active save -> executive). It closes when the account
    is back to healthy under the alerts' hysteresis (recovered) or at the end of its paid period
    (churned), or else at the end of its 90-day outcome window (expired: the playbook had its
    window; an episode left open for years would bury the list). The SLA is met when the first
    CS activity after the opening comes within the opening level's sla_hours. The
    outcome is read over `intervention_outcome_days` (90) from the opening: churned, saved (no
    churn and back to healthy or renewed), not_saved, or open while the window runs.

    Two health marts are read, with the reason: the renewal rating (fct_renewal_risk) and the
    alerts' "what changed" (fct_health_alerts) are built inside those marts, and copying their
    logic here would make two definitions of a red renewal and of what changed. Episodes are not
    the health alerts: the issue's levels open on the score itself (early warning needs a falling
    score, no two-week hold), and their SLAs count from that reading.
-#}
with

snapshots as (
    select * from {{ ref('int_intervention_snapshots_leveled') }}
),

renewal_risk as (
    select * from {{ ref('fct_renewal_risk') }}
),

alerts as (
    select * from {{ ref('fct_health_alerts') }}
),

activities as (
    select * from {{ ref('stg_raw__cs_activities') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

levels as (
    select * from {{ ref('intervention_levels') }}
),

steps as (
    select * from {{ ref('intervention_playbook_steps') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

reference_time as (
    -- the end of as_of_date: activities up to then are known, SLAs due by then are judged
    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as {{ dbt.type_timestamp() }}) as known_until
    from as_of
),

red_level as (
    select
        level_order,
        red_renewal_within_days
    from levels
    where red_renewal_within_days is not null
),

renewal_checkpoints_seen as (
    -- each renewal coming within red_renewal_within_days of a snapshot, with its latest
    -- checkpoint reached by then
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        renewal_risk.renewal_date,
        max(renewal_risk.checkpoint_date) as checkpoint_date
    from snapshots
    cross join red_level
    inner join renewal_risk
        on snapshots.account_id = renewal_risk.account_id
        and renewal_risk.checkpoint_date <= snapshots.snapshot_date
        and renewal_risk.renewal_date > snapshots.snapshot_date
        and renewal_risk.renewal_date
        <= {{ dbt.dateadd('day', 'red_level.red_renewal_within_days', 'snapshots.snapshot_date') }}
    group by snapshots.account_id, snapshots.snapshot_date, renewal_risk.renewal_date
),

red_renewals as (
    select
        seen.account_id,
        seen.snapshot_date,
        min(seen.renewal_date) as red_renewal_date
    from renewal_checkpoints_seen as seen
    inner join renewal_risk
        on seen.account_id = renewal_risk.account_id
        and seen.renewal_date = renewal_risk.renewal_date
        and seen.checkpoint_date = renewal_risk.checkpoint_date
    where renewal_risk.risk_rating = 'red'
    group by seen.account_id, seen.snapshot_date
),

leveled as (
    select
        snapshots.*,
        red_renewals.red_renewal_date,
        case
            when red_renewals.red_renewal_date is not null then red_level.level_order
            else snapshots.score_entry_level_order
        end as entry_level_order,
        case
            when red_renewals.red_renewal_date is not null then red_level.level_order
            else snapshots.band_level_order
        end as reached_level_order
    from snapshots
    cross join red_level
    left join red_renewals
        on snapshots.account_id = red_renewals.account_id
        and snapshots.snapshot_date = red_renewals.snapshot_date
),

stretched as (
    -- a stretch: the snapshots of one paid period between two recoveries; an episode is
    -- the part of a stretch from its first entry into a level
    select
        leveled.*,
        sum(case when leveled.is_recovered then 1 else 0 end) over (
            partition by leveled.account_id, leveled.period_number
            order by leveled.snapshot_date
            rows between unbounded preceding and current row
        ) as stretch_number
    from leveled
),

openings as (
    select
        account_id,
        period_number,
        stretch_number,
        min(snapshot_date) as opened_at
    from stretched
    where not is_recovered
        and entry_level_order is not null
    group by account_id, period_number, stretch_number
),

opened as (
    select
        openings.*,
        stretched.entry_level_order as opening_level_order,
        stretched.composite_score as opened_score,
        stretched.trend_base_score as opened_trend_base_score,
        stretched.band as opened_band,
        stretched.red_renewal_date as opened_red_renewal_date,
        stretched.arm
    from openings
    inner join stretched
        on openings.account_id = stretched.account_id
        and openings.opened_at = stretched.snapshot_date
),

recoveries as (
    -- the recovery (healthy, held) that ends the stretch
    select
        opened.account_id,
        opened.opened_at,
        min(stretched.snapshot_date) as recovered_at
    from opened
    inner join stretched
        on opened.account_id = stretched.account_id
        and coalesce(opened.period_number, -1) = coalesce(stretched.period_number, -1)
        and stretched.stretch_number = opened.stretch_number + 1
        and stretched.is_recovered
    group by opened.account_id, opened.opened_at
),

churns as (
    select
        opened.account_id,
        opened.opened_at,
        periods.period_end as churned_at
    from opened
    cross join reference_time
    inner join periods
        on opened.account_id = periods.account_id
        and opened.period_number = periods.period_number
        and periods.period_end <= reference_time.as_of_date
),

windows as (
    select
        account_id,
        opened_at,
        cast({{ dbt.dateadd('day', var('intervention_outcome_days'), 'opened_at') }} as date)
            as window_ends_on
    from openings
),

bounded as (
    -- an episode lasts at most its outcome window: not recovered and not churned by then, it
    -- closes as expired (the playbook had its 90 days; the account stays in health alerts)
    select
        opened.*,
        recoveries.recovered_at,
        churns.churned_at,
        case
            when recoveries.recovered_at <= windows.window_ends_on then recoveries.recovered_at
            when churns.churned_at <= windows.window_ends_on then churns.churned_at
            when windows.window_ends_on <= reference_time.as_of_date then windows.window_ends_on
        end as closed_at,
        case
            when recoveries.recovered_at <= windows.window_ends_on then 'recovered'
            when churns.churned_at <= windows.window_ends_on then 'churned'
            when windows.window_ends_on <= reference_time.as_of_date then 'expired'
        end as close_reason
    from opened
    cross join reference_time
    inner join windows
        on opened.account_id = windows.account_id
        and opened.opened_at = windows.opened_at
    left join recoveries
        on opened.account_id = recoveries.account_id
        and opened.opened_at = recoveries.opened_at
    left join churns
        on opened.account_id = churns.account_id
        and opened.opened_at = churns.opened_at
),

episode_snapshots as (
    select
        bounded.account_id,
        bounded.opened_at,
        stretched.snapshot_date,
        stretched.composite_score,
        stretched.reached_level_order
    from bounded
    inner join stretched
        on bounded.account_id = stretched.account_id
        and stretched.snapshot_date >= bounded.opened_at
        and (bounded.closed_at is null or stretched.snapshot_date < bounded.closed_at)
),

unimproved as (
    -- snapshots whose score is not above the score escalate_after_days earlier, per level
    select
        episode_snapshots.account_id,
        episode_snapshots.opened_at,
        episode_snapshots.snapshot_date,
        levels.level_order as from_level_order,
        levels.escalate_after_days
    from episode_snapshots
    cross join levels
    inner join stretched as earlier
        on episode_snapshots.account_id = earlier.account_id
        and earlier.snapshot_date
        = {{ dbt.dateadd('day', '-levels.escalate_after_days', 'episode_snapshots.snapshot_date') }}
    where levels.escalate_after_days is not null
        and earlier.snapshot_date >= episode_snapshots.opened_at
        and episode_snapshots.composite_score <= earlier.composite_score
),

level_1_started as (
    select
        account_id,
        opened_at,
        opened_at as level_started_at
    from bounded
),

{#- The seed has three levels (a test says so); each starts at the opening when the episode
    opened at it or above, else at the first snapshot that reaches it by score, or that has
    stayed unimproved for the previous level's escalate_after_days since that level started. -#}
{%- for level_order in [2, 3] %}

    level_{{ level_order }}_reached as (
        select
            account_id,
            opened_at,
            min(snapshot_date) as reached_at
        from episode_snapshots
        where reached_level_order >= {{ level_order }}
        group by account_id, opened_at
    ),

    level_{{ level_order }}_escalated as (
        select
            unimproved.account_id,
            unimproved.opened_at,
            min(unimproved.snapshot_date) as escalated_at
        from unimproved
        inner join level_{{ level_order - 1 }}_started as previous
            on unimproved.account_id = previous.account_id
            and unimproved.opened_at = previous.opened_at
            and unimproved.snapshot_date
            >= {{ dbt.dateadd('day', 'unimproved.escalate_after_days', 'previous.level_started_at') }}
        where unimproved.from_level_order = {{ level_order - 1 }}
        group by unimproved.account_id, unimproved.opened_at
    ),

    level_{{ level_order }}_started as (
        select
            bounded.account_id,
            bounded.opened_at,
            case
                when bounded.opening_level_order >= {{ level_order }} then bounded.opened_at
                else least(
                        coalesce(by_score.reached_at, cast('9999-12-31' as date)),
                        coalesce(by_time.escalated_at, cast('9999-12-31' as date))
                    )
            end as level_started_at
        from bounded
        left join level_{{ level_order }}_reached as by_score
            on bounded.account_id = by_score.account_id
            and bounded.opened_at = by_score.opened_at
        left join level_{{ level_order }}_escalated as by_time
            on bounded.account_id = by_time.account_id
            and bounded.opened_at = by_time.opened_at
    ),
{%- endfor %}

escalated as (
    select
        bounded.*,
        nullif(level_2.level_started_at, cast('9999-12-31' as date)) as level_2_started_at,
        nullif(level_3.level_started_at, cast('9999-12-31' as date)) as level_3_started_at
    from bounded
    inner join level_2_started as level_2
        on bounded.account_id = level_2.account_id
        and bounded.opened_at = level_2.opened_at
    inner join level_3_started as level_3
        on bounded.account_id = level_3.account_id
        and bounded.opened_at = level_3.opened_at
),

leveled_episodes as (
    select
        escalated.*,
        case
            when escalated.level_3_started_at is not null then 3
            when escalated.level_2_started_at is not null then 2
            else 1
        end as current_level_order,
        case
            when escalated.level_3_started_at is not null then escalated.level_3_started_at
            when escalated.level_2_started_at is not null then escalated.level_2_started_at
            else escalated.opened_at
        end as current_level_started_at,
        case when escalated.level_2_started_at > escalated.opened_at then 1 else 0 end
        + case when escalated.level_3_started_at > escalated.opened_at then 1 else 0 end
            as escalation_count
    from escalated
),

touches as (
    select
        leveled_episodes.account_id,
        leveled_episodes.opened_at,
        min(activities.occurred_at) as first_touch_at
    from leveled_episodes
    cross join reference_time
    inner join activities
        on leveled_episodes.account_id = activities.account_id
        and activities.occurred_at >= cast(leveled_episodes.opened_at as {{ dbt.type_timestamp() }})
        and activities.occurred_at < reference_time.known_until
        and (
            leveled_episodes.closed_at is null
            or activities.occurred_at < cast(leveled_episodes.closed_at as {{ dbt.type_timestamp() }})
        )
    group by leveled_episodes.account_id, leveled_episodes.opened_at
),

steps_done as (
    -- a step is done when an activity of its type came after the current level started
    select distinct
        leveled_episodes.account_id,
        leveled_episodes.opened_at,
        steps.step_number
    from leveled_episodes
    cross join reference_time
    inner join levels
        on leveled_episodes.current_level_order = levels.level_order
    inner join steps
        on levels.level = steps.level
    inner join activities
        on leveled_episodes.account_id = activities.account_id
        and steps.activity_type = activities.activity_type
        and activities.occurred_at
        >= cast(leveled_episodes.current_level_started_at as {{ dbt.type_timestamp() }})
        and activities.occurred_at < reference_time.known_until
),

next_steps as (
    select
        leveled_episodes.account_id,
        leveled_episodes.opened_at,
        min(steps.step_number) as next_step_number
    from leveled_episodes
    inner join levels
        on leveled_episodes.current_level_order = levels.level_order
    inner join steps
        on levels.level = steps.level
    left join steps_done
        on leveled_episodes.account_id = steps_done.account_id
        and leveled_episodes.opened_at = steps_done.opened_at
        and steps.step_number = steps_done.step_number
    where steps_done.step_number is null
        and leveled_episodes.closed_at is null
    group by leveled_episodes.account_id, leveled_episodes.opened_at
),

renewals_in_window as (
    select
        leveled_episodes.account_id,
        leveled_episodes.opened_at,
        max(case when renewal_risk.outcome in ('renewed', 'downgraded') then 1 else 0 end)
            as has_renewed,
        max(case when renewal_risk.outcome = 'pending' then 1 else 0 end) as has_pending_renewal
    from leveled_episodes
    inner join renewal_risk
        on leveled_episodes.account_id = renewal_risk.account_id
        and renewal_risk.renewal_date >= leveled_episodes.opened_at
        and renewal_risk.renewal_date
        <= {{ dbt.dateadd('day', var('intervention_outcome_days'), 'leveled_episodes.opened_at') }}
    group by leveled_episodes.account_id, leveled_episodes.opened_at
),

latest_snapshots as (
    select
        episode_snapshots.account_id,
        episode_snapshots.opened_at,
        max(episode_snapshots.snapshot_date) as latest_snapshot_date
    from episode_snapshots
    group by episode_snapshots.account_id, episode_snapshots.opened_at
),

alert_reasons as (
    -- what changed, from the health alert open on the opening day (the latest one opened)
    select
        account_id,
        opened_at,
        what_changed
    from (
        select
            leveled_episodes.account_id,
            leveled_episodes.opened_at,
            alerts.what_changed,
            row_number() over (
                partition by leveled_episodes.account_id, leveled_episodes.opened_at
                order by alerts.opened_at desc
            ) as alert_rank
        from leveled_episodes
        inner join alerts
            on leveled_episodes.account_id = alerts.account_id
            and alerts.opened_at <= leveled_episodes.opened_at
            and (alerts.resolved_at is null or alerts.resolved_at > leveled_episodes.opened_at)
        where alerts.what_changed is not null
    ) as ranked
    where alert_rank = 1
),

judged as (
    select
        leveled_episodes.*,
        reference_time.as_of_date,
        reference_time.known_until,
        opening_level.level as opening_level,
        current_level.level as current_level,
        current_level.owner_role,
        cast(
            {{ dbt.dateadd(
                'hour', 'opening_level.sla_hours',
                'cast(leveled_episodes.opened_at as ' ~ dbt.type_timestamp() ~ ')') }}
            as {{ dbt.type_timestamp() }}
        ) as due_at,
        touches.first_touch_at,
        cast(
            {{ dbt.dateadd('day', var('intervention_outcome_days'), 'leveled_episodes.opened_at') }}
            as date
        ) as outcome_window_ends_on,
        latest_snapshots.latest_snapshot_date,
        alert_reasons.what_changed,
        next_steps.next_step_number,
        coalesce(renewals_in_window.has_renewed, 0) = 1 as has_renewed_in_window,
        coalesce(renewals_in_window.has_pending_renewal, 0) = 1 as has_pending_renewal_in_window
    from leveled_episodes
    cross join reference_time
    inner join levels as opening_level
        on leveled_episodes.opening_level_order = opening_level.level_order
    inner join levels as current_level
        on leveled_episodes.current_level_order = current_level.level_order
    left join touches
        on leveled_episodes.account_id = touches.account_id
        and leveled_episodes.opened_at = touches.opened_at
    left join renewals_in_window
        on leveled_episodes.account_id = renewals_in_window.account_id
        and leveled_episodes.opened_at = renewals_in_window.opened_at
    left join latest_snapshots
        on leveled_episodes.account_id = latest_snapshots.account_id
        and leveled_episodes.opened_at = latest_snapshots.opened_at
    left join alert_reasons
        on leveled_episodes.account_id = alert_reasons.account_id
        and leveled_episodes.opened_at = alert_reasons.opened_at
    left join next_steps
        on leveled_episodes.account_id = next_steps.account_id
        and leveled_episodes.opened_at = next_steps.opened_at
),

outcomes as (
    select
        judged.*,
        case
            when judged.first_touch_at <= judged.due_at then true
            when judged.first_touch_at > judged.due_at then false
            -- closed (churned) before it was due, untouched: the SLA was never tested
            when judged.closed_at is not null
                and cast(judged.closed_at as {{ dbt.type_timestamp() }}) <= judged.due_at then null
            when judged.due_at < judged.known_until then false
        end as sla_met,
        case
            when judged.churned_at <= judged.outcome_window_ends_on then 'churned'
            when judged.outcome_window_ends_on > judged.as_of_date then 'open'
            when judged.recovered_at <= judged.outcome_window_ends_on
                or judged.has_renewed_in_window then 'saved'
            -- a renewal in the window whose outcome is not read yet: wait for it
            when judged.has_pending_renewal_in_window then 'open'
            else 'not_saved'
        end as outcome
    from judged
),

described as (
    select
        outcomes.*,
        case
            when outcomes.opened_red_renewal_date is not null
                and outcomes.opening_level_order = 3
                and (outcomes.opened_score is null or outcomes.opened_band <> 'churning')
                then 'renewal on ' || cast(outcomes.opened_red_renewal_date as {{ dbt.type_string() }})
                    || ' rated red'
            when outcomes.opened_trend_base_score is not null
                and outcomes.opened_score < outcomes.opened_trend_base_score
                then 'score ' || {{ rounded_text('outcomes.opened_score', 0) }}
                    || ' (' || outcomes.opened_band || '), down from '
                    || {{ rounded_text('outcomes.opened_trend_base_score', 0) }}
                    || ' {{ var("intervention_trend_days") }} days earlier'
            else 'score ' || {{ rounded_text('outcomes.opened_score', 0) }}
                || ' (' || outcomes.opened_band || ')'
        end as opening_reason
    from outcomes
),

final as (
    select
        described.account_id || '|' || cast(described.opened_at as {{ dbt.type_string() }})
            as episode_id,
        described.account_id,
        described.arm,
        described.opened_at,
        described.opening_level,
        described.current_level,
        described.current_level_started_at,
        described.opened_score,
        described.latest_snapshot_date,
        latest.composite_score as latest_score,
        latest.band as latest_band,
        described.opening_reason
        || coalesce('; what changed: ' || described.what_changed, '') as reason,
        described.due_at,
        described.first_touch_at,
        described.sla_met,
        described.escalation_count,
        case when described.level_2_started_at > described.opened_at
                then described.level_2_started_at
        end as escalated_to_active_save_at,
        case when described.level_3_started_at > described.opened_at
                then described.level_3_started_at
        end as escalated_to_executive_at,
        described.closed_at,
        described.close_reason,
        case when described.closed_at is null then 'open' else 'closed' end as status,
        described.outcome,
        described.outcome <> 'open' as is_settled,
        described.outcome_window_ends_on,
        described.owner_role,
        case
            when described.owner_role = 'CSM' then coalesce(latest.csm_owner, 'Pooled CS queue')
            else described.owner_role
        end as assigned_to,
        case
            when described.arm = 'holdout' then 'holdout: monitor, do not work'
            when described.closed_at is not null then 'closed'
            when steps.step_number is null then 'playbook done: monitor'
            else 'work the playbook'
        end as work_instruction,
        steps.step_number as next_step_number,
        steps.step as next_step,
        steps.activity_type as next_step_activity_type,
        steps.owner_role as next_step_owner_role,
        cast(
            {{ dbt.dateadd(
                'hour', 'steps.due_offset_hours',
                'cast(described.current_level_started_at as ' ~ dbt.type_timestamp() ~ ')') }}
            as {{ dbt.type_timestamp() }}
        ) as next_step_due_at,
        latest.arr,
        latest.segment
    from described
    inner join stretched as latest
        on described.account_id = latest.account_id
        and described.latest_snapshot_date = latest.snapshot_date
    inner join levels as current_level
        on described.current_level_order = current_level.level_order
    left join steps
        on current_level.level = steps.level
        and described.next_step_number = steps.step_number
)

select * from final
