{#-
    Does a milestone predict retention? (docs/definitions.md#milestone-retention) For each
    milestone, segment (and 'all') and horizon (var onboarding_retention_months: 6 and 12 months
    after the account's first month with ARR), the accounts that reached the milestone within
    its window against those that did not: logo retention (ARR above zero at the horizon's
    month-end snapshot) and revenue retention (their ARR then over their first month's ARR),
    from the billing ledger (fct_account_arr_monthly). An account counts once its horizon month
    is reported (not after as_of_month) and its milestone window has ended. churn_ratio is the
    churn share of those that missed over that of those that reached (the workflow's "3-5x"),
    with the Katz log interval; predicts_retention when its lower bound is above 1. Null ratios
    (status insufficient_data) when a group has fewer than var onboarding_min_accounts_per_group
    accounts or no churn. The revenue mart fct_account_arr_monthly is read rather than the
    ledger recomputed, so a milestone's retention is measured on the ARR the retention marts
    report.
-#}
{%- set z = var('onboarding_interval_z') -%}
{%- set min_n = var('onboarding_min_accounts_per_group') -%}

with

milestones as (
    select * from {{ ref('fct_onboarding_milestones') }}
),

arr_monthly as (
    select * from {{ ref('fct_account_arr_monthly') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

first_paid as (
    select
        account_id,
        min(month) as first_paid_month
    from arr_monthly
    where arr > 0
    group by account_id
),

horizons as (
    {% for months in var('onboarding_retention_months') -%}
        select {{ months }} as horizon_months
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

followed as (
    select
        first_paid.account_id,
        first_paid.first_paid_month,
        horizons.horizon_months,
        cast(
            {{ dbt.dateadd('month', 'horizons.horizon_months', 'first_paid.first_paid_month') }}
            as date
        ) as horizon_month
    from first_paid
    cross join horizons
),

outcomes as (
    select
        followed.account_id,
        followed.horizon_months,
        start_arr.arr as start_arr,
        coalesce(end_arr.arr, 0) as end_arr
    from followed
    cross join as_of
    inner join arr_monthly as start_arr
        on
        followed.account_id = start_arr.account_id
        and followed.first_paid_month = start_arr.month
    left join arr_monthly as end_arr
        on
        followed.account_id = end_arr.account_id
        and followed.horizon_month = end_arr.month
    where followed.horizon_month <= as_of.as_of_month
),

grouped as (
    select
        milestones.milestone,
        milestones.segment,
        outcomes.horizon_months,
        milestones.is_reached_within_window,
        outcomes.start_arr,
        outcomes.end_arr
    from milestones
    inner join outcomes
        on milestones.account_id = outcomes.account_id
    where milestones.is_reached_within_window is not null
),

by_segment as (
    select * from grouped
    union all
    select
        milestone,
        'all' as segment,
        horizon_months,
        is_reached_within_window,
        start_arr,
        end_arr
    from grouped
),

summed as (
    select
        milestone,
        segment,
        horizon_months,
        sum(case when is_reached_within_window then 1 else 0 end) as reached_accounts,
        sum(case when is_reached_within_window and end_arr > 0 then 1 else 0 end)
            as reached_retained,
        sum(case when is_reached_within_window then start_arr else 0 end) as reached_start_arr,
        sum(case when is_reached_within_window then end_arr else 0 end) as reached_end_arr,
        sum(case when not is_reached_within_window then 1 else 0 end) as missed_accounts,
        sum(case when not is_reached_within_window and end_arr > 0 then 1 else 0 end)
            as missed_retained,
        sum(case when not is_reached_within_window then start_arr else 0 end)
            as missed_start_arr,
        sum(case when not is_reached_within_window then end_arr else 0 end) as missed_end_arr
    from by_segment
    group by milestone, segment, horizon_months
),

ratios as (
    select
        *,
        reached_accounts - reached_retained as reached_churned,
        missed_accounts - missed_retained as missed_churned,
        reached_accounts >= {{ min_n }}
        and missed_accounts >= {{ min_n }}
        and reached_accounts > reached_retained
        and missed_accounts > missed_retained as is_measurable
    from summed
),

final as (
    select
        milestone,
        segment,
        cast(horizon_months as integer) as horizon_months,
        cast(reached_accounts as {{ dbt.type_bigint() }}) as reached_accounts,
        cast(missed_accounts as {{ dbt.type_bigint() }}) as missed_accounts,
        {{ safe_ratio('reached_retained', 'reached_accounts') }} as reached_logo_retention,
        {{ safe_ratio('missed_retained', 'missed_accounts') }} as missed_logo_retention,
        {{ safe_ratio('reached_end_arr', 'reached_start_arr') }} as reached_revenue_retention,
        {{ safe_ratio('missed_end_arr', 'missed_start_arr') }} as missed_revenue_retention,
        case when is_measurable then {{ round_half(
            '(1.0 * missed_churned / missed_accounts) / (1.0 * reached_churned / reached_accounts)',
            4) }} end as churn_ratio,
        case when is_measurable then {{ round_half(risk_ratio_bound(
            'missed_churned', 'missed_accounts', 'reached_churned', 'reached_accounts', z, -1), 4)
        }} end as churn_ratio_lower,
        case when is_measurable then {{ round_half(risk_ratio_bound(
            'missed_churned', 'missed_accounts', 'reached_churned', 'reached_accounts', z, 1), 4)
        }} end as churn_ratio_upper,
        case
            when is_measurable then {{ risk_ratio_bound(
                'missed_churned', 'missed_accounts', 'reached_churned', 'reached_accounts', z, -1)
            }} > 1
        end as predicts_retention,
        case when is_measurable then 'measured' else 'insufficient_data' end as status
    from ratios
)

select * from final
