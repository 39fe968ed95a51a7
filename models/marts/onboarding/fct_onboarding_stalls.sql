{#-
    Accounts stuck in onboarding (docs/definitions.md#onboarding-stalls): a milestone whose
    trigger fires when missed (seed onboarding_milestones trigger_when = missed), whose window
    has ended without it by the data's end, at most var onboarding_stall_max_hours ago. With the
    trigger due, its owner, and how long the account has been stalled. The rule is
    int_onboarding_stalls_open's (the intervention queue reads the same model).
-#}
with

stalls as (
    select * from {{ ref('int_onboarding_stalls_open') }}
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
        window_ended_at,
        {{ round_half('hours_stalled', 2) }} as hours_stalled,
        trigger_type,
        trigger_text,
        owner
    from stalls
)

select * from final
