{#-
    Per observed account and milestone (docs/definitions.md#onboarding): when it was reached,
    hours since creation, and whether within the milestone's window (null while the window is
    still open and the milestone not yet reached), with the account's activation path.
-#}
with

reached as (
    select * from {{ ref('int_onboarding_milestones_reached') }}
),

final as (
    select
        account_id,
        milestone,
        milestone_order,
        milestone_name,
        path,
        segment,
        signup_month,
        created_at,
        reached_at,
        cast(hours_to_reach as {{ double_type() }}) as hours_to_reach,
        window_hours,
        target_share,
        hours_observed >= window_hours as is_window_elapsed,
        case
            when hours_to_reach <= window_hours then true
            when hours_observed >= window_hours then false
        end as is_reached_within_window
    from reached
)

select * from final
