{#-
    The activation funnel's reach rate counts only accounts whose milestone window has fully
    elapsed by the as-of date (docs/definitions.md#onboarding): its numerator and denominator
    are recounted here from fct_onboarding_milestones. A row comes back when the funnel counts
    an account still inside its window (reached already or not).
-#}
with

milestones as (
    select * from {{ ref('fct_onboarding_milestones') }}
),

funnel as (
    select * from {{ ref('fct_activation_funnel') }}
    where path = 'all'
),

recounted as (
    select
        signup_month,
        milestone,
        sum(case when is_window_elapsed then 1 else 0 end) as elapsed,
        sum(case when is_window_elapsed and is_reached_within_window then 1 else 0 end)
            as reached
    from milestones
    group by signup_month, milestone
)

select
    funnel.signup_month,
    funnel.milestone,
    funnel.accounts_window_elapsed,
    funnel.reached_within_window,
    recounted.elapsed,
    recounted.reached
from funnel
left join recounted
    on funnel.signup_month = recounted.signup_month
    and funnel.milestone = recounted.milestone
where recounted.elapsed is null
    or funnel.accounts_window_elapsed <> recounted.elapsed
    or funnel.reached_within_window <> recounted.reached
