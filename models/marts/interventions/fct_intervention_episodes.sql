{#-
    Intervention episodes (docs/definitions.md#interventions): one row per account episode at a
    playbook risk level. The episodes are opened, bounded and escalated in the intermediate
    models (int_intervention_snapshots_stretched: the weekly snapshots with their entry level,
    a renewal rated red included, and their stretch between two recoveries;
    int_intervention_episodes_bounded: the opening and the recovery, churn or end of the
    outcome window that closes it; int_intervention_episodes_escalated: the level over time).
    Here each episode is judged: the SLA is met when the first CS activity after the opening
    comes within the opening level's sla_hours; the outcome is read over
    `intervention_outcome_days` (90) from the opening: churned, saved (no churn and back to
    healthy or renewed), not_saved, or open while the window runs; with the reason, the owner
    and the next playbook step.

    Two health marts are read, with the reason: the renewals' outcomes (fct_renewal_risk) and
    the alerts' "what changed" (fct_health_alerts) are built inside those marts, and copying
    their logic here would make two definitions of a renewal's outcome and of what changed.
    Episodes are not the health alerts: the issue's levels open on the score itself (early
    warning needs a falling score, no two-week hold), and their SLAs count from that reading.
    The models stop at the mart because Spark inlines every CTE where it is read: as one chain
    of CTEs the plan ran the Spark driver out of memory.
-#}
with

episodes as (
    select * from {{ ref('int_intervention_episodes_escalated') }}
),

snapshots as (
    select * from {{ ref('int_intervention_snapshots_stretched') }}
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

touches as (
    select
        episodes.account_id,
        episodes.opened_at,
        min(activities.occurred_at) as first_touch_at
    from episodes
    cross join reference_time
    inner join activities
        on episodes.account_id = activities.account_id
        and activities.occurred_at >= cast(episodes.opened_at as {{ dbt.type_timestamp() }})
        and activities.occurred_at < reference_time.known_until
        and (
            episodes.closed_at is null
            or activities.occurred_at < cast(episodes.closed_at as {{ dbt.type_timestamp() }})
        )
    group by episodes.account_id, episodes.opened_at
),

steps_done as (
    -- a step is done when an activity of its type came after the current level started
    select distinct
        episodes.account_id,
        episodes.opened_at,
        steps.step_number
    from episodes
    cross join reference_time
    inner join levels
        on episodes.current_level_order = levels.level_order
    inner join steps
        on levels.level = steps.level
    inner join activities
        on episodes.account_id = activities.account_id
        and steps.activity_type = activities.activity_type
        and activities.occurred_at
        >= cast(episodes.current_level_started_at as {{ dbt.type_timestamp() }})
        and activities.occurred_at < reference_time.known_until
),

next_steps as (
    select
        episodes.account_id,
        episodes.opened_at,
        min(steps.step_number) as next_step_number
    from episodes
    inner join levels
        on episodes.current_level_order = levels.level_order
    inner join steps
        on levels.level = steps.level
    left join steps_done
        on episodes.account_id = steps_done.account_id
        and episodes.opened_at = steps_done.opened_at
        and steps.step_number = steps_done.step_number
    where steps_done.step_number is null
        and episodes.closed_at is null
    group by episodes.account_id, episodes.opened_at
),

renewals_in_window as (
    select
        episodes.account_id,
        episodes.opened_at,
        max(case when renewal_risk.outcome in ('renewed', 'downgraded') then 1 else 0 end)
            as has_renewed,
        max(case when renewal_risk.outcome = 'pending' then 1 else 0 end) as has_pending_renewal
    from episodes
    inner join renewal_risk
        on episodes.account_id = renewal_risk.account_id
        and renewal_risk.renewal_date >= episodes.opened_at
        and renewal_risk.renewal_date
        <= {{ dbt.dateadd('day', var('intervention_outcome_days'), 'episodes.opened_at') }}
    group by episodes.account_id, episodes.opened_at
),

alert_reasons as (
    -- what changed, from the health alert open on the opening day (the latest one opened)
    select
        account_id,
        opened_at,
        what_changed
    from (
        select
            episodes.account_id,
            episodes.opened_at,
            alerts.what_changed,
            row_number() over (
                partition by episodes.account_id, episodes.opened_at
                order by alerts.opened_at desc
            ) as alert_rank
        from episodes
        inner join alerts
            on episodes.account_id = alerts.account_id
            and alerts.opened_at <= episodes.opened_at
            and (alerts.resolved_at is null or alerts.resolved_at > episodes.opened_at)
        where alerts.what_changed is not null
    ) as ranked
    where alert_rank = 1
),

judged as (
    select
        episodes.*,
        reference_time.as_of_date,
        reference_time.known_until,
        opening_level.level as opening_level,
        current_level.level as current_level,
        current_level.owner_role,
        cast(
            {{ dbt.dateadd(
                'hour', 'opening_level.sla_hours',
                'cast(episodes.opened_at as ' ~ dbt.type_timestamp() ~ ')') }}
            as {{ dbt.type_timestamp() }}
        ) as due_at,
        touches.first_touch_at,
        cast(
            {{ dbt.dateadd('day', var('intervention_outcome_days'), 'episodes.opened_at') }}
            as date
        ) as outcome_window_ends_on,
        alert_reasons.what_changed,
        next_steps.next_step_number,
        coalesce(renewals_in_window.has_renewed, 0) = 1 as has_renewed_in_window,
        coalesce(renewals_in_window.has_pending_renewal, 0) = 1 as has_pending_renewal_in_window
    from episodes
    cross join reference_time
    inner join levels as opening_level
        on episodes.opening_level_order = opening_level.level_order
    inner join levels as current_level
        on episodes.current_level_order = current_level.level_order
    left join touches
        on episodes.account_id = touches.account_id
        and episodes.opened_at = touches.opened_at
    left join renewals_in_window
        on episodes.account_id = renewals_in_window.account_id
        and episodes.opened_at = renewals_in_window.opened_at
    left join alert_reasons
        on episodes.account_id = alert_reasons.account_id
        and episodes.opened_at = alert_reasons.opened_at
    left join next_steps
        on episodes.account_id = next_steps.account_id
        and episodes.opened_at = next_steps.opened_at
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
        described.escalated_to_active_save_at,
        described.escalated_to_executive_at,
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
    inner join snapshots as latest
        on described.account_id = latest.account_id
        and described.latest_snapshot_date = latest.snapshot_date
    inner join levels as current_level
        on described.current_level_order = current_level.level_order
    left join steps
        on current_level.level = steps.level
        and described.next_step_number = steps.step_number
)

select * from final
