{#-
    The activation funnel (docs/definitions.md#onboarding): by signup month, path (and 'all')
    and milestone, the reach rate within the milestone's window over the accounts whose window
    has ended, against the seed's target. And time to first value from the Kaplan-Meier curve of
    the signup month and path (the same on each milestone's row; docs/definitions.md#time-to-first-value):
    the median hours, the shares within 1 hour (var onboarding_ttfv_target_hours) and within the
    first-value milestone's window (24 hours), against the targets.
-#}
{%- set target_hours = var('onboarding_ttfv_target_hours') -%}
{%- set first_value = var('onboarding_first_value_milestone') -%}

with

milestones as (
    select * from {{ ref('fct_onboarding_milestones') }}
),

curve as (
    select * from {{ ref('int_onboarding_first_value_survived') }}
),

first_value_target as (
    select
        window_hours,
        target_share
    from {{ ref('onboarding_milestones') }}
    where milestone = '{{ first_value }}'
),

by_path as (
    select
        signup_month,
        path,
        milestone,
        milestone_order,
        target_share,
        is_window_elapsed,
        is_reached_within_window
    from milestones
    union all
    select
        signup_month,
        'all' as path,
        milestone,
        milestone_order,
        target_share,
        is_window_elapsed,
        is_reached_within_window
    from milestones
),

reach as (
    select
        signup_month,
        path,
        milestone,
        milestone_order,
        max(target_share) as target_share,
        count(*) as accounts,
        sum(case when is_window_elapsed then 1 else 0 end) as accounts_window_elapsed,
        -- only accounts whose window has ended: one still inside it that has already reached
        -- the milestone is not yet comparable with those that are still to reach it
        sum(case when is_window_elapsed and is_reached_within_window then 1 else 0 end)
            as reached_within_window
    from by_path
    group by signup_month, path, milestone, milestone_order
),

time_to_value as (
    select
        curve.cohort,
        curve.path,
        -- the first hour at which half have reached it; S(t) is exp(sum(ln)), so a share of
        -- exactly 0.5 comes out a rounding below it on DuckDB's doubles (not on Postgres'
        -- numerics): compare within 1e-9
        min(case when curve.reached_share >= 0.5 - 1e-9 then curve.hours_since_creation end)
            as median_hours,
        coalesce(max(
            case when curve.hours_since_creation <= {{ target_hours }} then curve.reached_share end
        ), 0) as share_within_target_hours,
        coalesce(max(
            case
                when curve.hours_since_creation <= first_value_target.window_hours
                    then curve.reached_share
            end
        ), 0) as share_within_window
    from curve
    cross join first_value_target
    group by curve.cohort, curve.path
),

final as (
    select
        reach.signup_month,
        reach.path,
        reach.milestone,
        reach.milestone_order,
        cast(reach.accounts as {{ dbt.type_bigint() }}) as accounts,
        cast(reach.accounts_window_elapsed as {{ dbt.type_bigint() }}) as accounts_window_elapsed,
        cast(reach.reached_within_window as {{ dbt.type_bigint() }}) as reached_within_window,
        {{ safe_ratio('reach.reached_within_window', 'reach.accounts_window_elapsed') }}
            as reach_rate,
        reach.target_share,
        case
            when reach.accounts_window_elapsed > 0
                then 1.0 * reach.reached_within_window / reach.accounts_window_elapsed
                    >= reach.target_share
        end as meets_target,
        {{ round_half('time_to_value.median_hours', 4) }} as ttfv_median_hours,
        cast({{ target_hours }} as {{ double_type() }}) as ttfv_target_hours,
        {{ round_half('time_to_value.share_within_target_hours', 6) }}
            as ttfv_share_within_target_hours,
        cast(0.5 as {{ double_type() }}) as ttfv_share_within_target_hours_target,
        {{ round_half('time_to_value.share_within_window', 6) }} as ttfv_share_within_window,
        first_value_target.target_share as ttfv_share_within_window_target
    from reach
    cross join first_value_target
    left join time_to_value
        on
        cast(reach.signup_month as {{ dbt.type_string() }}) = time_to_value.cohort
        and reach.path = time_to_value.path
)

select * from final
