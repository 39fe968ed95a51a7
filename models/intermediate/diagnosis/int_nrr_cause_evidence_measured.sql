{#-
    The evidence of each cause and recovery blocker of the NRR diagnosis that is measured from
    accounts, surveys and movements (docs/definitions.md#nrr-diagnosis): one row per rule key,
    its evidence value (higher is worse) and, where the metric compares two groups, a
    two-proportion z statistic. The falling-GRR blocker is measured in fct_nrr_diagnosis from the
    quarterly components.
-#}
-- The union branches after the first take its column names, and their one-table selects
-- read unqualified columns: AL03 and RF02 do not apply to them.
-- noqa: disable=AL03,RF02
with

tests as (
    select * from {{ ref('int_churn_cohort_tests_computed') }}
),

cause_accounts as (
    select * from {{ ref('int_nrr_cause_accounts_listed') }}
),

profiles as (
    select * from {{ ref('int_account_diagnosis_profiled') }}
),

diagnosis as (
    select * from {{ ref('int_diagnosis_quarter_resolved') }}
),

movements as (
    select * from {{ ref('int_account_arr_classified') }}
),

surveys as (
    select * from {{ ref('stg_raw__churn_surveys') }}
),

rules as (
    select * from {{ ref('nrr_diagnostic_rules') }}
),

survey_months as (
    select
        surveys.reason_category,
        cast({{ dbt.date_trunc('month', 'surveys.submitted_at') }} as date) as survey_month
    from surveys
),

{% set survey_causes = [
    ('product_gap', 'missing_feature', 'ttm_start_month', 'ttm_baseline_month', 11),
    ('competitive_displacement', 'competitor', 'recent_start_month', 'prior_start_month', 0),
] %}
survey_groups as (
    {% for cause, reason, a_start, b_start, b_span in survey_causes %}
        select
            '{{ cause }}' as rule_key,
            count(case when survey_months.survey_month >= diagnosis.{{ a_start }} then 1 end) as a_n,
            count(case
                when survey_months.survey_month >= diagnosis.{{ a_start }}
                    and survey_months.reason_category = '{{ reason }}' then 1
            end) as a_k,
            count(case when survey_months.survey_month < diagnosis.{{ a_start }} then 1 end) as b_n,
            count(case
                when survey_months.survey_month < diagnosis.{{ a_start }}
                    and survey_months.reason_category = '{{ reason }}' then 1
            end) as b_k
        from survey_months
        cross join diagnosis
        where survey_months.survey_month <= diagnosis.as_of_month
            {%- if b_span %}
                and survey_months.survey_month
                >= cast({{ dbt.dateadd('month', -b_span, 'diagnosis.' ~ b_start) }} as date)
            {%- else %}
                and survey_months.survey_month >= diagnosis.{{ b_start }}
            {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

paying_months as (
    -- account-months that started with ARR, with the account's first term
    select
        movements.account_id,
        movements.month,
        profiles.first_term_months,
        case when movements.movement_type = 'expansion' then 1 else 0 end as expanded,
        mod(
            cast(
                {{ dbt.datediff('profiles.first_revenue_month', 'movements.month', 'month') }}
                as integer
            ),
            12
        ) as month_in_year
    from movements
    inner join profiles
        on movements.account_id = profiles.account_id
    where movements.previous_arr > 0
),

expansion_groups as (
    select
        'no_upsell_motion' as rule_key,
        count(case when paying_months.month >= diagnosis.recent_start_month then 1 end) as a_n,
        sum(case when paying_months.month >= diagnosis.recent_start_month then expanded else 0 end)
            as a_k,
        count(case when paying_months.month < diagnosis.recent_start_month then 1 end) as b_n,
        sum(case when paying_months.month < diagnosis.recent_start_month then expanded else 0 end)
            as b_k
    from paying_months
    cross join diagnosis
    where paying_months.month >= diagnosis.prior_start_month
        and paying_months.month <= diagnosis.as_of_month
    union all
    select
        'contract_mechanic_friction',
        count(case when first_term_months >= 12 and month_in_year <> 0 then 1 end),
        sum(case when first_term_months >= 12 and month_in_year <> 0 then expanded else 0 end),
        count(case when first_term_months = 1 then 1 end),
        sum(case when first_term_months = 1 then expanded else 0 end)
    from paying_months
    cross join diagnosis
    where paying_months.month >= diagnosis.ttm_start_month
        and paying_months.month <= diagnosis.as_of_month
),

two_groups as (
    select * from survey_groups
    union all
    select * from expansion_groups
),

two_groups_rated as (
    select
        rule_key,
        a_n,
        b_n,
        case when a_n > 0 then 1.0 * a_k / a_n end as a_rate,
        case when b_n > 0 then 1.0 * b_k / b_n end as b_rate,
        case when a_n + b_n > 0 then 1.0 * (a_k + b_k) / (a_n + b_n) end as pooled
    from two_groups
),

two_group_evidence as (
    -- surveys: the recent share, tested above the earlier share; expansion: the relative fall
    select
        rule_key,
        case
            when rule_key in ('product_gap', 'competitive_displacement') then a_rate
            when b_rate > 0 then 1 - a_rate / b_rate
        end as evidence_value,
        case
            when pooled > 0 and pooled < 1 and a_n > 0 and b_n > 0
                then (case
                    when rule_key in ('product_gap', 'competitive_displacement') then a_rate - b_rate
                    else b_rate - a_rate
                end) / sqrt(pooled * (1 - pooled) * (1.0 / a_n + 1.0 / b_n))
        end as z_score
    from two_groups_rated
),

test_evidence as (
    select
        metric_value as evidence_value,
        z_score,
        case test_key
            when 'onboarding_cliff' then 'time_to_value_failure'
            when 'icp_drift_12m' then 'icp_drift'
            when 'renewal_cliff' then 'cs_under_investment'
        end as rule_key
    from tests
    where test_key in ('onboarding_cliff', 'icp_drift_12m', 'renewal_cliff')
),

share_evidence as (
    select
        cause_key as rule_key,
        case
            when cause_key = 'no_value_metric_pricing'
                then sum(case when is_behind then arr_at_risk else 0 end) / nullif(sum(arr_at_risk), 0)
            else 1.0 * count(case when is_behind then 1 end) / nullif(count(*), 0)
        end as evidence_value,
        cast(null as {{ double_type() }}) as z_score
    from cause_accounts
    where cause_key in ('missed_seat_growth', 'missed_module_attach', 'no_value_metric_pricing')
    group by cause_key
),

band_norms as (
    select
        rule_key as arr_band,
        threshold_value as churn_norm,
        min_accounts
    from rules
    where rule_kind = 'arr_band_norm'
),

segment_bands as (
    select
        profiles.segment,
        profiles.baseline_arr_band,
        count(*) as accounts,
        count(case when profiles.as_of_arr = 0 then 1 end) as churned
    from profiles
    where profiles.baseline_arr > 0
    group by profiles.segment, profiles.baseline_arr_band
),

segment_band_evidence as (
    select
        'many_segments_churning' as rule_key,
        1.0 * count(case when 1.0 * segment_bands.churned / segment_bands.accounts
                >= band_norms.churn_norm then 1
        end) / nullif(count(*), 0) as evidence_value,
        cast(null as {{ double_type() }}) as z_score
    from segment_bands
    inner join band_norms
        on segment_bands.baseline_arr_band = band_norms.arr_band
    where segment_bands.accounts >= band_norms.min_accounts
),

competitor_blocker as (
    select
        'competitor_structurally_ahead' as rule_key,
        evidence_value,
        cast(null as {{ double_type() }}) as z_score
    from two_group_evidence
    where rule_key = 'competitive_displacement'
),

evidence as (
    select
        rule_key,
        evidence_value,
        z_score
    from two_group_evidence
    union all
    select
        rule_key,
        evidence_value,
        z_score
    from test_evidence
    union all
    select
        rule_key,
        evidence_value,
        z_score
    from share_evidence
    union all
    select
        rule_key,
        evidence_value,
        z_score
    from segment_band_evidence
    union all
    select
        rule_key,
        evidence_value,
        z_score
    from competitor_blocker
),

final as (
    select
        rule_key,
        cast(evidence_value as {{ double_type() }}) as evidence_value,
        cast(z_score as {{ double_type() }}) as z_score
    from evidence
)

select * from final
