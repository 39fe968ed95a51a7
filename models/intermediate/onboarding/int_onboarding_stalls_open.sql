{#-
    The open onboarding stalls (docs/definitions.md#onboarding-stalls): an account and a
    milestone whose trigger fires when missed (seed onboarding_milestones trigger_when =
    missed), whose window has ended without it by the data's end, at most var
    onboarding_stall_max_hours ago. With the trigger due, its owner, and the hours stalled
    (unrounded). The one definition of a stall: fct_onboarding_stalls publishes it, and the
    intervention queue (fct_cs_worklist) lists it as its own risk type.
-#}
with

milestones as (
    select * from {{ ref('int_onboarding_milestones_reached') }}
),

definitions as (
    select * from {{ ref('onboarding_milestones') }}
),

stalled as (
    select
        milestones.account_id,
        milestones.milestone,
        milestones.milestone_order,
        milestones.milestone_name,
        milestones.path,
        milestones.segment,
        milestones.created_at,
        milestones.window_hours,
        definitions.trigger_type,
        definitions.trigger_text,
        definitions.owner,
        milestones.hours_observed - milestones.window_hours as hours_stalled
    from milestones
    inner join definitions
        on milestones.milestone = definitions.milestone
    where
        definitions.trigger_when = 'missed'
        and milestones.reached_at is null
        and milestones.hours_observed >= milestones.window_hours
        and milestones.hours_observed - milestones.window_hours
        <= {{ var('onboarding_stall_max_hours') }}
),

final as (
    select
        account_id,
        milestone,
        milestone_order,
        milestone_name,
        path,
        segment,
        created_at,
        window_hours,
        cast(
            {{ dbt.dateadd('hour', 'window_hours', 'created_at') }} as {{ dbt.type_timestamp() }}
        ) as window_ended_at,
        hours_stalled,
        trigger_type,
        trigger_text,
        owner
    from stalled
)

select * from final
