{#-
    The cohort tests of the NRR diagnosis (docs/definitions.md#nrr-diagnosis), one row each:
    group a against group b, their exposures, events and rates, the test's metric (higher is
    worse) and a two-proportion z statistic (pooled).

    - icp_drift_6m: logo retention 6 months after the first revenue month, of the 4 signup
      quarters ending 6 months before the as-of month (a) against the 4 quarters before them (b);
      metric = b rate - a rate.
    - icp_drift_12m: the same at 12 months, of the accounts still paying at 6 months (past the
      onboarding cliff, so that a time-to-value failure does not read as ICP drift); the 4 signup
      quarters ending 12 months before the as-of month against the 4 before them.
    - onboarding_cliff: first-churn hazard per account-month at tenure months 3-6 (a) against
      1-2 and 7-9 (b), cohorts with a first revenue month in the 24 months to the as-of month;
      metric = a / b.
    - renewal_cliff: accounts whose first contract is a term of 12 months or more: churn at the
      first renewal, tenure 12-13 (a), against later renewals, 24-25 and 36-37 (b); metric = a / b.
    - industry_concentration: the industry with most of the trailing-12-month churned logos of
      the starting book; metric = its share.
-#}
with

profiles as (
    select * from {{ ref('int_account_diagnosis_profiled') }}
),

diagnosis as (
    select * from {{ ref('int_diagnosis_quarter_resolved') }}
),

tenure_months as (
    {% for m in range(1, 38) -%}
        select {{ m }} as tenure_month
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

{% set drift_windows = {'icp_drift_6m': 6, 'icp_drift_12m': 12} %}
{% for test_key, months in drift_windows.items() %}
    {{ test_key }}_cohorts as (
        select
            profiles.account_id,
            case
                when profiles.first_revenue_month
                    >= cast({{ dbt.dateadd('month', -(months + 11), 'diagnosis.as_of_month') }} as date)
                    then 'a'
                else 'b'
            end as cohort_group,
            profiles.is_retained_{{ months }}m as is_retained
        from profiles
        cross join diagnosis
        where {% if months == 12 %}profiles.is_retained_6m and {% endif %}profiles.first_revenue_month
            >= cast({{ dbt.dateadd('month', -(months + 23), 'diagnosis.as_of_month') }} as date)
            and profiles.first_revenue_month
            <= cast({{ dbt.dateadd('month', -months, 'diagnosis.as_of_month') }} as date)
    ),

    {{ test_key }} as (
        select
            '{{ test_key }}' as test_key,
            'recent_4_signup_quarters' as group_a_label,
            count(case when cohort_group = 'a' then 1 end) as group_a_exposure,
            count(case when cohort_group = 'a' and is_retained then 1 end) as group_a_events,
            'previous_4_signup_quarters' as group_b_label,
            count(case when cohort_group = 'b' then 1 end) as group_b_exposure,
            count(case when cohort_group = 'b' and is_retained then 1 end) as group_b_events,
            cast(null as {{ dbt.type_string() }}) as top_value
        from {{ test_key }}_cohorts
    ),
{% endfor %}

cliff_exposure as (
    select
        profiles.account_id,
        tenure_months.tenure_month,
        case when profiles.first_churn_tenure_months = tenure_months.tenure_month then 1 else 0 end
            as churned
    from profiles
    cross join diagnosis
    inner join tenure_months
        on tenure_months.tenure_month <= profiles.observed_tenure_months
        and (
            profiles.first_churn_tenure_months is null
            or tenure_months.tenure_month <= profiles.first_churn_tenure_months
        )
    where profiles.first_revenue_month
        >= cast({{ dbt.dateadd('month', -24, 'diagnosis.as_of_month') }} as date)
),

onboarding_cliff as (
    select
        'onboarding_cliff' as test_key,
        'tenure_months_3_6' as group_a_label,
        count(case when tenure_month between 3 and 6 then 1 end) as group_a_exposure,
        sum(case when tenure_month between 3 and 6 then churned else 0 end) as group_a_events,
        'tenure_months_1_2_and_7_9' as group_b_label,
        count(case when tenure_month in (1, 2, 7, 8, 9) then 1 end) as group_b_exposure,
        sum(case when tenure_month in (1, 2, 7, 8, 9) then churned else 0 end) as group_b_events,
        cast(null as {{ dbt.type_string() }}) as top_value
    from cliff_exposure
),

renewals as (
    -- at risk at a renewal when observed past it and not churned before it
    select
        profiles.account_id,
        tenure_months.tenure_month as renewal_month,
        case
            when profiles.first_churn_tenure_months between tenure_months.tenure_month
                and tenure_months.tenure_month + 1 then 1
            else 0
        end as churned
    from profiles
    inner join tenure_months
        on tenure_months.tenure_month in (12, 24, 36)
        and tenure_months.tenure_month + 1 <= profiles.observed_tenure_months
        and (
            profiles.first_churn_tenure_months is null
            or profiles.first_churn_tenure_months >= tenure_months.tenure_month
        )
    where profiles.first_term_months >= 12
),

renewal_cliff as (
    select
        'renewal_cliff' as test_key,
        'first_renewal' as group_a_label,
        count(case when renewal_month = 12 then 1 end) as group_a_exposure,
        sum(case when renewal_month = 12 then churned else 0 end) as group_a_events,
        'later_renewals' as group_b_label,
        count(case when renewal_month > 12 then 1 end) as group_b_exposure,
        sum(case when renewal_month > 12 then churned else 0 end) as group_b_events,
        cast(null as {{ dbt.type_string() }}) as top_value
    from renewals
),

ttm_churned as (
    select industry
    from profiles
    where baseline_arr > 0 and as_of_arr = 0
),

industry_churn as (
    select
        industry,
        count(*) as churned_logos,
        row_number() over (order by count(*) desc, industry) as industry_rank
    from ttm_churned
    group by industry
),

industry_concentration as (
    select
        'industry_concentration' as test_key,
        'top_industry' as group_a_label,
        (select count(*) from ttm_churned) as group_a_exposure,
        coalesce(max(churned_logos), 0) as group_a_events,
        'all_industries' as group_b_label,
        (select count(*) from ttm_churned) as group_b_exposure,
        (select count(*) from ttm_churned) as group_b_events,
        max(industry) as top_value
    from industry_churn
    where industry_rank = 1
),

tests as (
    select * from icp_drift_6m
    union all
    select * from icp_drift_12m
    union all
    select * from onboarding_cliff
    union all
    select * from renewal_cliff
    union all
    select * from industry_concentration
),

rated as (
    select
        tests.*,
        case when tests.group_a_exposure > 0 then 1.0 * tests.group_a_events / tests.group_a_exposure end as group_a_rate,
        case when tests.group_b_exposure > 0 then 1.0 * tests.group_b_events / tests.group_b_exposure end as group_b_rate,
        case
            when tests.group_a_exposure + tests.group_b_exposure > 0
                then 1.0 * (tests.group_a_events + tests.group_b_events) / (tests.group_a_exposure + tests.group_b_exposure)
        end as pooled_rate
    from tests
),

final as (
    select
        test_key,
        group_a_label,
        cast(group_a_exposure as {{ dbt.type_bigint() }}) as group_a_exposure,
        cast(group_a_events as {{ dbt.type_bigint() }}) as group_a_events,
        cast(group_a_rate as {{ double_type() }}) as group_a_rate,
        group_b_label,
        cast(group_b_exposure as {{ dbt.type_bigint() }}) as group_b_exposure,
        cast(group_b_events as {{ dbt.type_bigint() }}) as group_b_events,
        cast(group_b_rate as {{ double_type() }}) as group_b_rate,
        cast(case
            when test_key like 'icp_drift%' then group_b_rate - group_a_rate
            when test_key = 'industry_concentration' then group_a_rate
            when group_b_rate > 0 then group_a_rate / group_b_rate
        end as {{ double_type() }}) as metric_value,
        cast(case
            when test_key = 'industry_concentration' then null
            when pooled_rate > 0 and pooled_rate < 1
                and group_a_exposure > 0 and group_b_exposure > 0
                then (case when test_key like 'icp_drift%' then group_b_rate - group_a_rate
                    else group_a_rate - group_b_rate
                end)
                / sqrt(
                    pooled_rate * (1 - pooled_rate)
                    * (1.0 / group_a_exposure + 1.0 / group_b_exposure)
                )
        end as {{ double_type() }}) as z_score,
        top_value
    from rated
)

select * from final
