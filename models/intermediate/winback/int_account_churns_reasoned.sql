{#-
    Every churn (int_account_churns_listed: the day the account's paid ARR went to zero) with
    its reason (docs/definitions.md#win-back): the churn survey submitted nearest to the churn
    date, within winback_survey_match_days; without one, the first rule of
    seeds/winback_reason_rules.csv that fires on the signals before the churn; `other` with
    source `unknown` when none fires. Also the ARR the day before the churn, the ICP tier, the
    health at the last snapshot before the churn and the return (the start of the account's
    next paid period), if any.
-#}
{%- set survey_match_days = var('winback_survey_match_days') -%}

with

churns as (
    select * from {{ ref('int_account_churns_listed') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

signals as (
    select * from {{ ref('int_account_churn_signals_listed') }}
),

rules as (
    select * from {{ ref('winback_reason_rules') }}
),

surveys as (
    select * from {{ ref('stg_raw__churn_surveys') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
    where arr_usd > 0
),

health as (
    select * from {{ ref('int_account_health_scored') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

survey_candidates as (
    select
        churns.account_id,
        churns.churn_date,
        surveys.reason_category,
        surveys.competitor_name,
        surveys.comment,
        row_number() over (
            partition by churns.account_id, churns.churn_date
            order by
                abs({{ dbt.datediff('churns.churn_date', 'cast(surveys.submitted_at as date)', 'day') }}),
                surveys.submitted_at desc,
                surveys.survey_id asc
        ) as nearest
    from churns
    inner join surveys
        on churns.account_id = surveys.account_id
    cross join as_of
    where cast(surveys.submitted_at as date) <= as_of.as_of_date
        and cast(surveys.submitted_at as date)
        >= {{ dbt.dateadd('day', -survey_match_days, 'churns.churn_date') }}
        and cast(surveys.submitted_at as date)
        <= {{ dbt.dateadd('day', survey_match_days, 'churns.churn_date') }}
),

survey_reasons as (
    select * from survey_candidates
    where nearest = 1
),

rule_values as (
    -- each rule on each churn: the sum of its signal's observations within its lookback
    -- (dated signals count events; a state signal has one value and no lookback)
    select
        churns.account_id,
        churns.churn_date,
        rules.rule_order,
        rules.rule_name,
        rules.churn_reason,
        rules.comparison,
        rules.threshold,
        sum(signals.signal_value) as signal_value
    from churns
    cross join rules
    left join signals
        on churns.account_id = signals.account_id
        and churns.churn_date = signals.churn_date
        and rules.signal_name = signals.signal_name
        and (rules.lookback_days is null or signals.days_before_churn <= rules.lookback_days)
    group by
        churns.account_id,
        churns.churn_date,
        rules.rule_order,
        rules.rule_name,
        rules.churn_reason,
        rules.comparison,
        rules.threshold
),

fired_rules as (
    select
        *,
        row_number() over (
            partition by account_id, churn_date order by rule_order
        ) as firing_order
    from rule_values
    where case comparison
            when 'at_least' then coalesce(signal_value, 0) >= threshold
            when 'below' then signal_value < threshold
        end
),

inferred_reasons as (
    select * from fired_rules
    where firing_order = 1
),

returns as (
    select
        churns.account_id,
        churns.churn_date,
        min(periods.period_start) as returned_on
    from churns
    inner join periods
        on churns.account_id = periods.account_id
        and periods.period_start > churns.churn_date
    group by churns.account_id, churns.churn_date
),

prior_arr as (
    -- paid ARR on the last day before the churn
    select
        churns.account_id,
        churns.churn_date,
        {{ round_to_cents('sum(line_items.arr_usd)') }} as prior_arr
    from churns
    inner join line_items
        on churns.account_id = line_items.account_id
        and line_items.start_date < churns.churn_date
        and (line_items.end_date is null or line_items.end_date >= churns.churn_date)
    group by churns.account_id, churns.churn_date
),

health_before as (
    select
        churns.account_id,
        churns.churn_date,
        health.snapshot_date,
        health.composite_score,
        health.band,
        row_number() over (
            partition by churns.account_id, churns.churn_date
            order by health.snapshot_date desc
        ) as latest
    from churns
    inner join health
        on churns.account_id = health.account_id
        and health.snapshot_date < churns.churn_date
),

health_at_churn as (
    select * from health_before
    where latest = 1
),

final as (
    select
        churns.account_id,
        churns.churn_date,
        churns.segment,
        accounts.account_name,
        accounts.use_case,
        accounts.icp_tier,
        churns.days_since_first_revenue,
        survey_reasons.comment as survey_comment,
        survey_reasons.competitor_name,
        health_at_churn.snapshot_date as health_snapshot_date,
        health_at_churn.composite_score as health_score_at_churn,
        health_at_churn.band as health_band_at_churn,
        returns.returned_on,
        coalesce(prior_arr.prior_arr, 0) as prior_arr,
        coalesce(
            survey_reasons.reason_category, inferred_reasons.churn_reason, 'other'
        ) as churn_reason,
        case
            when survey_reasons.reason_category is not null then 'survey'
            when inferred_reasons.churn_reason is not null then 'inferred'
            else 'unknown'
        end as reason_source,
        case
            when survey_reasons.reason_category is null then inferred_reasons.rule_name
        end as reason_rule
    from churns
    left join accounts
        on churns.account_id = accounts.account_id
    left join prior_arr
        on churns.account_id = prior_arr.account_id
        and churns.churn_date = prior_arr.churn_date
    left join survey_reasons
        on churns.account_id = survey_reasons.account_id
        and churns.churn_date = survey_reasons.churn_date
    left join inferred_reasons
        on churns.account_id = inferred_reasons.account_id
        and churns.churn_date = inferred_reasons.churn_date
    left join health_at_churn
        on churns.account_id = health_at_churn.account_id
        and churns.churn_date = health_at_churn.churn_date
    left join returns
        on churns.account_id = returns.account_id
        and churns.churn_date = returns.churn_date
)

select * from final
