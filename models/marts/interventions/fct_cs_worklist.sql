{#-
    The Monday list (docs/definitions.md#interventions): every open intervention episode, the
    treated ones first, most urgent first: the highest level, an SLA missed or still untouched,
    the earliest next step due, the largest ARR. Each row names the reason, the playbook step
    due, who does it and by when. Holdout accounts are on the same list, last, flagged
    "holdout: monitor, do not work": a lead who sees them knows the account is watched on
    purpose and must not be worked (a separate list would be one more table to open, and a
    holdout account missing from the list looks like a forgotten one).
-#}
with

episodes as (
    select * from {{ ref('fct_intervention_episodes') }}
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

ranked as (
    select
        open_episodes.*,
        row_number() over (
            order by
                case when open_episodes.arm = 'holdout' then 1 else 0 end,
                open_episodes.current_level_order desc,
                case when open_episodes.sla_status like 'missed%' then 0 else 1 end,
                case when open_episodes.next_step_due_at is null then 1 else 0 end,
                open_episodes.next_step_due_at asc,
                open_episodes.arr desc,
                open_episodes.account_id asc
        ) as worklist_rank
    from open_episodes
),

final as (
    select
        cast(worklist_rank as {{ dbt.type_bigint() }}) as worklist_rank,
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
        segment
    from ranked
)

select * from final
