{#-
    Step 3 of the NRR diagnostic sweep, cohort the churn (docs/definitions.md#nrr-diagnosis):
    trailing-12-month logo churn, churned and contracted ARR of the book at the window's start by
    signup quarter, segment, ARR band (with the band's norm) and industry (with its share of the
    churned logos), then the cohort tests (ICP drift at 6 and 12 months, the onboarding cliff,
    the renewal cliff, industry concentration) with their statistic, threshold and flag. Rules
    and thresholds from the seed nrr_diagnostic_rules.
-#}
with

profiles as (
    select * from {{ ref('int_account_diagnosis_profiled') }}
),

tests as (
    select * from {{ ref('int_churn_cohort_tests_computed') }}
),

rules as (
    select * from {{ ref('nrr_diagnostic_rules') }}
),

diagnosis as (
    select * from {{ ref('int_diagnosis_quarter_resolved') }}
),

starting_book as (
    select
        profiles.*,
        case when profiles.as_of_arr = 0 then 1 else 0 end as is_churned,
        case when profiles.as_of_arr = 0 then profiles.baseline_arr else 0 end as churned_arr,
        case
            when profiles.as_of_arr > 0 and profiles.as_of_arr < profiles.baseline_arr then profiles.baseline_arr - profiles.as_of_arr else 0
        end as contraction_arr
    from profiles
    where profiles.baseline_arr > 0
),

{% set dimensions = {
    'signup_quarter': 'signup_quarter',
    'segment': 'segment',
    'arr_band': 'baseline_arr_band',
    'industry': 'industry',
} %}
grouped as (
    {% for diagnostic, column in dimensions.items() %}
        select
            '{{ diagnostic }}' as diagnostic,
            coalesce(cast({{ column }} as {{ dbt.type_string() }}), '(unknown)') as group_value,
            count(*) as starting_accounts,
            sum(is_churned) as churned_accounts,
            sum(baseline_arr) as starting_arr,
            sum(churned_arr) as churned_arr,
            sum(contraction_arr) as contraction_arr
        from starting_book
        group by coalesce(cast({{ column }} as {{ dbt.type_string() }}), '(unknown)')
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

all_churned as (
    select sum(is_churned) as churned_logos from starting_book
),

grouped_rated as (
    select
        grouped.*,
        1.0 * grouped.churned_accounts / grouped.starting_accounts as logo_churn_rate,
        case when grouped.starting_arr > 0 then grouped.churned_arr / grouped.starting_arr end
            as arr_churn_rate,
        case when grouped.starting_arr > 0 then grouped.contraction_arr / grouped.starting_arr end
            as contraction_rate,
        case
            when grouped.diagnostic = 'industry' and all_churned.churned_logos > 0
                then 1.0 * grouped.churned_accounts / all_churned.churned_logos
            else 1.0 * grouped.churned_accounts / grouped.starting_accounts
        end as metric_value,
        case
            when grouped.diagnostic = 'arr_band' then grouped.group_value
            when grouped.diagnostic = 'industry' then 'industry_concentration'
        end as rule_key
    from grouped
    cross join all_churned
),

group_rows as (
    select
        grouped_rated.diagnostic,
        grouped_rated.group_value,
        grouped_rated.starting_accounts,
        grouped_rated.churned_accounts,
        grouped_rated.starting_arr,
        grouped_rated.churned_arr,
        grouped_rated.contraction_arr,
        grouped_rated.logo_churn_rate,
        grouped_rated.arr_churn_rate,
        grouped_rated.contraction_rate,
        cast(null as {{ double_type() }}) as group_a_rate,
        cast(null as {{ double_type() }}) as group_b_rate,
        grouped_rated.metric_value,
        cast(null as {{ double_type() }}) as z_score,
        rules.threshold_value,
        case
            when rules.rule_key is null then null
            else grouped_rated.metric_value >= rules.threshold_value
                and grouped_rated.starting_accounts >= rules.min_accounts
        end as is_flagged
    from grouped_rated
    left join rules
        on grouped_rated.rule_key = rules.rule_key
),

test_rows as (
    select
        tests.test_key as diagnostic,
        tests.top_value as group_value,
        tests.group_a_exposure as starting_accounts,
        tests.group_a_events as churned_accounts,
        cast(null as {{ double_type() }}) as starting_arr,
        cast(null as {{ double_type() }}) as churned_arr,
        cast(null as {{ double_type() }}) as contraction_arr,
        cast(null as {{ double_type() }}) as logo_churn_rate,
        cast(null as {{ double_type() }}) as arr_churn_rate,
        cast(null as {{ double_type() }}) as contraction_rate,
        tests.group_a_rate,
        tests.group_b_rate,
        tests.metric_value,
        tests.z_score,
        rules.threshold_value,
        tests.metric_value >= rules.threshold_value
        and (rules.min_z_score = 0 or tests.z_score >= rules.min_z_score) as is_flagged
    from tests
    inner join rules
        on rules.rule_key = case tests.test_key
            when 'icp_drift_6m' then 'icp_drift'
            when 'icp_drift_12m' then 'icp_drift'
            when 'onboarding_cliff' then 'time_to_value_failure'
            when 'renewal_cliff' then 'cs_under_investment'
            else tests.test_key
        end
),

unioned as (
    select * from group_rows
    union all
    select * from test_rows
),

final as (
    select
        diagnosis.as_of_month,
        unioned.diagnostic,
        unioned.group_value,
        cast(unioned.starting_accounts as {{ dbt.type_bigint() }}) as starting_accounts,
        cast(unioned.churned_accounts as {{ dbt.type_bigint() }}) as churned_accounts,
        cast(unioned.starting_arr as {{ double_type() }}) as starting_arr,
        cast(unioned.churned_arr as {{ double_type() }}) as churned_arr,
        cast(unioned.contraction_arr as {{ double_type() }}) as contraction_arr,
        cast(unioned.logo_churn_rate as {{ double_type() }}) as logo_churn_rate,
        cast(unioned.arr_churn_rate as {{ double_type() }}) as arr_churn_rate,
        cast(unioned.contraction_rate as {{ double_type() }}) as contraction_rate,
        cast(unioned.group_a_rate as {{ double_type() }}) as group_a_rate,
        cast(unioned.group_b_rate as {{ double_type() }}) as group_b_rate,
        cast(unioned.metric_value as {{ double_type() }}) as metric_value,
        cast(unioned.z_score as {{ double_type() }}) as z_score,
        cast(unioned.threshold_value as {{ double_type() }}) as threshold_value,
        unioned.is_flagged
    from unioned
    cross join diagnosis
)

select * from final
