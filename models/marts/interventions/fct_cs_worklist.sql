{#-
    The Monday list (docs/definitions.md#interventions): every open intervention episode
    (risk_type health_risk) and every account stalled in onboarding (risk_type
    onboarding_stall, docs/definitions.md#the-worklist-risk-types), the treated ones first, most
    urgent first: the highest level, an SLA missed or still untouched, the earliest next step
    due, the largest ARR. The stalls rank just before the treated rows of the level named by var
    onboarding_stall_worklist_before_level (early_warning), among themselves the earliest
    milestone first, then the trigger due longest. Each row names the reason, the step due (the
    playbook step, or the onboarding trigger), who does it and by when. Holdout accounts are on
    the same list, last, flagged "holdout: monitor, do not work": a lead who sees them knows the
    account is watched on purpose and must not be worked (a separate list would be one more
    table to open, and a holdout account missing from the list looks like a forgotten one).
    The stalls come from the onboarding intermediate model, the definition that
    onboarding.fct_onboarding_stalls publishes too (no mart reads another domain's mart here).
-#}
with

episodes as (
    select * from {{ ref('fct_intervention_episodes') }}
),

stalls as (
    select * from {{ ref('int_onboarding_stalls_open') }}
),

levels as (
    select * from {{ ref('intervention_levels') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

open_episodes as (
    select
        episodes.*,
        levels.level_order as current_level_order,
        as_of.as_of_date,
        case
            when episodes.arm = 'holdout' then 'holdout: not worked'
            when episodes.sla_met then 'met'
            when episodes.sla_met = false and episodes.first_touch_at is null then 'missed: not touched'
            when episodes.sla_met = false then 'missed: touched late'
            else 'due'
        end as sla_status
    from episodes
    cross join as_of
    inner join levels
        on episodes.current_level = levels.level
    where episodes.status = 'open'
),

health_rows as (
    select
        'health_risk' as risk_type,
        as_of_date,
        account_id,
        episode_id,
        arm = 'holdout' as is_holdout,
        work_instruction,
        current_level,
        assigned_to,
        reason,
        next_step_number,
        next_step,
        next_step_owner_role,
        next_step_due_at,
        sla_status,
        due_at as sla_due_at,
        first_touch_at,
        opened_at,
        cast({{ dbt.datediff('opened_at', 'as_of_date', 'day') }} as {{ dbt.type_bigint() }}) as days_open,
        escalation_count,
        latest_score,
        latest_band,
        arr,
        segment,
        cast(null as {{ dbt.type_string() }}) as milestone,
        cast(null as {{ dbt.type_string() }}) as milestone_name,
        cast(null as {{ dbt.type_string() }}) as trigger_type,
        cast(null as {{ dbt.type_bigint() }}) as days_stalled,
        -- sort keys: a level of order n sorts at 2n, the stalls between two levels
        2 * current_level_order as queue_position,
        0 as milestone_order
    from open_episodes
),

first_stalls as (
    -- one row per account: its first missed milestone (the later ones wait on it, and one
    -- message at a time is what a new account can take)
    select
        stalls.*,
        row_number() over (
            partition by stalls.account_id order by stalls.milestone_order
        ) as stall_order
    from stalls
),

stall_rows as (
    select
        'onboarding_stall' as risk_type,
        as_of.as_of_date,
        first_stalls.account_id,
        cast(null as {{ dbt.type_string() }}) as episode_id,
        {{ holdout_bucket('first_stalls.account_id') }} < {{ var('intervention_holdout_share') }}
            as is_holdout,
        case
            when {{ holdout_bucket('first_stalls.account_id') }} < {{ var('intervention_holdout_share') }}
                then 'holdout: monitor, do not work'
            else 'send the onboarding trigger'
        end as work_instruction,
        cast(null as {{ dbt.type_string() }}) as current_level,
        first_stalls.owner as assigned_to,
        {{ dbt.concat([
            "'missed '", "first_stalls.milestone", "' '", "first_stalls.milestone_name",
            "' within '", dbt.cast("first_stalls.window_hours", dbt.type_string()),
            "' hours of creation; stalled '",
            dbt.cast(dbt.cast("floor(first_stalls.hours_stalled / 24)", dbt.type_bigint()), dbt.type_string()),
            "' days'"
        ]) }} as reason,
        cast(null as {{ dbt.type_int() }}) as next_step_number,
        first_stalls.trigger_text as next_step,
        first_stalls.owner as next_step_owner_role,
        first_stalls.window_ended_at as next_step_due_at,
        cast(null as {{ dbt.type_string() }}) as sla_status,
        cast(null as {{ dbt.type_timestamp() }}) as sla_due_at,
        cast(null as {{ dbt.type_timestamp() }}) as first_touch_at,
        cast(first_stalls.window_ended_at as date) as opened_at,
        cast(
            {{ dbt.datediff('cast(first_stalls.window_ended_at as date)', 'as_of.as_of_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_open,
        cast(null as {{ dbt.type_int() }}) as escalation_count,
        cast(null as {{ double_type() }}) as latest_score,
        cast(null as {{ dbt.type_string() }}) as latest_band,
        cast(null as decimal(18, 2)) as arr,
        first_stalls.segment,
        first_stalls.milestone,
        first_stalls.milestone_name,
        first_stalls.trigger_type,
        cast(floor(first_stalls.hours_stalled / 24) as {{ dbt.type_bigint() }}) as days_stalled,
        2 * coalesce(stall_before.level_order, 0) + 1 as queue_position,
        first_stalls.milestone_order
    from first_stalls
    cross join as_of
    left join levels as stall_before
        on stall_before.level = '{{ var("onboarding_stall_worklist_before_level") }}'
    where first_stalls.stall_order = 1
),

queued as (
    select * from health_rows
    union all
    select * from stall_rows
),

ranked as (
    select
        queued.*,
        row_number() over (
            order by
                case when queued.is_holdout then 1 else 0 end,
                queued.queue_position desc,
                case when queued.sla_status like 'missed%' then 0 else 1 end,
                queued.milestone_order asc,
                case when queued.next_step_due_at is null then 1 else 0 end,
                queued.next_step_due_at asc,
                queued.arr desc,
                queued.account_id asc
        ) as worklist_rank
    from queued
),

final as (
    select
        cast(worklist_rank as {{ dbt.type_bigint() }}) as worklist_rank,
        as_of_date,
        account_id,
        risk_type,
        episode_id,
        is_holdout,
        work_instruction,
        current_level,
        assigned_to,
        reason,
        next_step_number,
        next_step,
        next_step_owner_role,
        next_step_due_at,
        sla_status,
        sla_due_at,
        first_touch_at,
        opened_at,
        days_open,
        escalation_count,
        latest_score,
        latest_band,
        arr,
        segment,
        milestone,
        milestone_name,
        trigger_type,
        days_stalled
    from ranked
)

select * from final
