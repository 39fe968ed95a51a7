{#-
    Time to first value as a Kaplan-Meier curve (docs/definitions.md#time-to-first-value): each
    observed account is followed from its creation until it reaches the first-value milestone
    (var onboarding_first_value_milestone, M2), and an account that has not reached it yet is
    censored at the data's end, never dropped and never averaged over those that finished. By
    signup month (cohort 'YYYY-MM-DD', and 'all') and path (and 'all'); one row per cohort, path
    and hour on which a reach or a censoring happened: S(t) = prod(1 - d/n) as
    exp(sum(ln(1 - d/n))), zero from the first step where every account at risk reached it;
    reached_share = 1 - S(t), with the Greenwood 95% interval on the log(-log) scale.
-#}
with

milestones as (
    select * from {{ ref('int_onboarding_milestones_reached') }}
),

followed as (
    select
        cast(signup_month as {{ dbt.type_string() }}) as cohort,
        path,
        case when reached_at is not null then 1 else 0 end as is_reached,
        case when reached_at is not null then hours_to_reach else hours_observed end
            as hours_followed
    from milestones
    where milestone = '{{ var("onboarding_first_value_milestone") }}'
),

by_group as (
    select
        cohort,
        path,
        is_reached,
        hours_followed
    from followed
    union all
    select
        'all' as cohort,
        path,
        is_reached,
        hours_followed
    from followed
    union all
    select
        cohort,
        'all' as path,
        is_reached,
        hours_followed
    from followed
    union all
    select
        'all' as cohort,
        'all' as path,
        is_reached,
        hours_followed
    from followed
),

steps as (
    select
        cohort,
        path,
        hours_followed as hours_since_creation,
        sum(is_reached) as reached,
        count(*) - sum(is_reached) as censored
    from by_group
    group by cohort, path, hours_followed
),

at_risk as (
    select
        *,
        sum(reached + censored) over (
            partition by cohort, path
            order by hours_since_creation desc
            rows between unbounded preceding and current row
        ) as at_risk
    from steps
),

terms as (
    select
        *,
        case when reached = at_risk then 1 else 0 end as is_exhausting,
        case
            when reached < at_risk then ln(1.0 - 1.0 * reached / at_risk)
            else 0
        end as log_survival_term,
        case
            when reached < at_risk then 1.0 * reached / (1.0 * at_risk * (at_risk - reached))
            else 0
        end as greenwood_term
    from at_risk
),

cumulated as (
    select
        *,
        max(is_exhausting) over (
            partition by cohort, path order by hours_since_creation
            rows between unbounded preceding and current row
        ) as is_exhausted,
        sum(log_survival_term) over (
            partition by cohort, path order by hours_since_creation
            rows between unbounded preceding and current row
        ) as log_survival,
        sum(greenwood_term) over (
            partition by cohort, path order by hours_since_creation
            rows between unbounded preceding and current row
        ) as greenwood_sum,
        sum(reached) over (
            partition by cohort, path order by hours_since_creation
            rows between unbounded preceding and current row
        ) as cumulative_reached,
        max(at_risk) over (partition by cohort, path) as accounts
    from terms
),

survival as (
    select
        *,
        case when is_exhausted = 1 then 0.0 else exp(log_survival) end as survival,
        -- standard error of log(-log S): sqrt(greenwood) / |log S|; undefined at S = 1 or 0
        case
            when is_exhausted = 0 and log_survival < 0
                then sqrt(greenwood_sum) / (-log_survival)
        end as loglog_se
    from cumulated
),

final as (
    select
        cohort,
        path,
        hours_since_creation,
        accounts,
        at_risk,
        reached,
        censored,
        cumulative_reached,
        1 - survival as reached_share,
        case
            when cumulative_reached = 0 then 0
            when loglog_se is not null then 1 - power(survival, exp(-1.96 * loglog_se))
            when is_exhausted = 1 then 1
        end as reached_share_lower,
        case
            when cumulative_reached = 0 then 1 - power(0.025, 1.0 / accounts)
            when loglog_se is not null then 1 - power(survival, exp(1.96 * loglog_se))
            when is_exhausted = 1 then 1
        end as reached_share_upper
    from survival
)

select * from final
