{#-
    The key-metric scorecard (docs/definitions.md#key-metrics-scorecard): every metric of the
    playbook's Key Metrics table (seeds/key_metric_targets.csv) with its value, target, whether
    it is met and its trend over four quarters. A cross-domain summary: it reads the quarterly
    series (revenue, onboarding and health marts) and the headline figures of the calibration,
    interventions and win-back marts, where each is defined and tested.
-#}
with

targets as (
    select * from {{ ref('key_metric_targets') }}
),

quarterly as (
    select * from {{ ref('fct_key_metrics_quarterly') }}
),

backtest as (
    select * from {{ ref('fct_health_backtest') }}
    where metric = 'warned_share' and score_name = '{{ var("health_weights") }}'
),

interventions as (
    select * from {{ ref('fct_intervention_outcomes') }}
    where risk_level = 'overall'
),

winback as (
    select * from {{ ref('fct_winback_performance') }}
    where churn_reason = 'all'
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

latest_quarter as (
    select max(quarter_start) as quarter_start from quarterly
),

as_of_month as (
    -- the measured month of the latest quarter: the latest complete month
    select
        latest_quarter.quarter_start,
        case
            when {{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} >= {{ dbt.dateadd('month', 1, 'as_of.as_of_month') }}
                then as_of.as_of_month
            else cast({{ dbt.dateadd('month', -1, 'as_of.as_of_month') }} as date)
        end as as_of_month
    from latest_quarter
    cross join as_of
),

quarterly_values as (
    select
        quarterly.metric_key,
        max(case when quarterly.quarter_start = as_of_month.quarter_start then quarterly.value end)
            as value,
        max(case
            when quarterly.quarter_start
                = cast({{ dbt.dateadd('month', -12, 'as_of_month.quarter_start') }} as date)
                then quarterly.value
        end) as value_four_quarters_ago,
        max(case
            when quarterly.quarter_start
                = cast({{ dbt.dateadd('month', -12, 'as_of_month.quarter_start') }} as date)
                then 1
            else 0
        end) as has_quarter_four_ago
    from quarterly
    cross join as_of_month
    group by quarterly.metric_key
),

quarterly_notes as (
    select
        metric_key,
        value,
        value_four_quarters_ago,
        has_quarter_four_ago,
        case
            when value is null and metric_key = 'time_to_first_value'
                then 'Not measurable: fewer than half of the quarter''s signups (first-value window ended) reached first value, or there were none (onboarding.fct_onboarding_milestones)'
            when value is null and metric_key in ('time_to_first_value', 'activation_rate')
                then 'Not measurable: no signup in the quarter whose first-value window has ended (onboarding.fct_onboarding_milestones, observed accounts only)'
            when value is null and metric_key = 'healthy_account_share'
                then 'Not measurable: no scored health snapshot of a paying account in the quarter (health.fct_account_health)'
            when value is null
                then 'Not measurable: the TTM cohort or the quarter has no ARR yet (revenue marts)'
            when metric_key in ('nrr', 'grr')
                then 'TTM cohort ratio at the as-of month (revenue.fct_net_revenue_retention, window 12)'
            when metric_key = 'logo_churn_annual'
                then '1 - TTM logo retention at the as-of month (revenue.fct_net_revenue_retention)'
            when metric_key = 'logo_churn_monthly'
                then 'Churned customers / customers at the start of each month, pooled over the quarter to date (revenue.fct_arr_waterfall)'
            when metric_key = 'expansion_share_of_new_arr'
                then 'Expansion ARR / (new-logo ARR + expansion ARR) over the quarter to date (revenue.fct_arr_waterfall)'
            when metric_key = 'time_to_first_value'
                then 'Median hours from creation to the first-value milestone of the quarter''s signups, not-reached accounts ranked last (onboarding.fct_onboarding_milestones)'
            when metric_key = 'activation_rate'
                then 'Share of the quarter''s signups that reached the first-value milestone within its window (onboarding.fct_onboarding_milestones)'
            when metric_key = 'healthy_account_share'
                then 'Share of paying accounts in a healthy band at the quarter''s last health snapshot (health.fct_account_health)'
        end as value_note
    from quarterly_values
),

headline_values as (
    select
        'health_score_accuracy' as metric_key,
        cast(backtest.value as {{ double_type() }}) as value,
        case
            when backtest.value is null
                then concat(
                        'Not measurable: ', coalesce(backtest.status_reason, 'no backtest figure'),
                        ' (calibration.fct_health_backtest)'
                    )
            else 'Share of churn events flagged 30+ days ahead on the backtest''s test period (calibration.fct_health_backtest, warned_share); one figure for the whole period, no quarterly series'
        end as value_note
    from (select 1 as one) as anchor
    left join backtest on anchor.one = 1
    union all
    select
        'intervention_success_rate' as metric_key,
        cast(interventions.treated_save_rate as {{ double_type() }}) as value,
        case
            when interventions.treated_save_rate is null
                then concat(
                        'Not measurable: ', coalesce(interventions.status_reason, 'no settled episode'),
                        ' (interventions.fct_intervention_outcomes)'
                    )
            else 'Save rate of the settled episodes of treated at-risk accounts, all history (interventions.fct_intervention_outcomes, overall); no quarterly series'
        end as value_note
    from (select 1 as one) as anchor
    left join interventions on anchor.one = 1
    union all
    select
        'winback_conversion_rate' as metric_key,
        cast(winback.conversion_rate as {{ double_type() }}) as value,
        case
            when winback.conversion_rate is null
                then 'Not measurable: no addressable churn whose win-back window has opened (winback.fct_winback_performance)'
            else 'Addressable churns back on or after their win-back window opened / those whose window opened, all history (winback.fct_winback_performance, all); no quarterly series'
        end as value_note
    from (select 1 as one) as anchor
    left join winback on anchor.one = 1
),

all_values as (
    select
        metric_key,
        value,
        value_four_quarters_ago,
        value_note,
        has_quarter_four_ago
    from quarterly_notes
    union all
    select
        metric_key,
        value,
        cast(null as {{ double_type() }}) as value_four_quarters_ago,
        value_note,
        0 as has_quarter_four_ago
    from headline_values
),

final as (
    select
        cast(targets.metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(targets.metric_label as {{ dbt.type_string() }}) as metric_label,
        cast(targets.unit as {{ dbt.type_string() }}) as unit,
        cast(targets.target_value as {{ double_type() }}) as target_value,
        cast(targets.target_rule as {{ dbt.type_string() }}) as target_rule,
        cast(as_of_month.as_of_month as date) as as_of_month,
        cast(all_values.value as {{ double_type() }}) as value,
        case
            when all_values.value is null then null
            when targets.target_rule = 'at_least' then all_values.value >= targets.target_value
            else all_values.value <= targets.target_value
        end as is_met,
        cast(coalesce(
            all_values.value_note, 'Not measurable: no input for this metric in the build'
        ) as {{ dbt.type_string() }}) as value_note,
        cast(case
            when all_values.value is null or all_values.value_four_quarters_ago is null
                then 'insufficient_data'
            when abs(all_values.value - all_values.value_four_quarters_ago) <= targets.flat_tolerance
                then 'flat'
            when (all_values.value > all_values.value_four_quarters_ago)
                = (targets.target_rule = 'at_least')
                then 'improving'
            else 'worsening'
        end as {{ dbt.type_string() }}) as trend_direction,
        cast(all_values.value_four_quarters_ago as {{ double_type() }}) as value_four_quarters_ago
    from targets
    cross join as_of_month
    left join all_values
        on targets.metric_key = all_values.metric_key
)

select * from final
