{#-
    Books that add up but cannot be right (docs/definitions.md#plausibility): one row per check,
    flagged or not, with the measured figure, its threshold (a dbt var), the accounts concerned
    and a sentence a user reads. Flagged rows warn in the build (data tests and the on-run-end
    hook report_plausibility) and print as caveats under the headline; they never fail a build.
-#}
{%- set max_survey_share = var('plausibility_max_survey_without_churn_share') -%}
{%- set max_stacked_share = var('plausibility_max_stacked_line_account_share') -%}
{%- set max_ttm_nrr = var('plausibility_max_ttm_nrr') -%}
{%- set min_cohort_accounts = var('plausibility_min_cohort_accounts') -%}
{%- set max_unbilled_share = var('plausibility_max_unbilled_usage_share') -%}
{%- set max_unknown_share = var('plausibility_max_unknown_feature_share') -%}
{%- set features_named = var('plausibility_features_named') -%}
{%- set examples = var('plausibility_example_accounts') -%}

with

surveyed_accounts as (
    select * from {{ ref('int_churn_surveys_matched') }}
),

open_line_accounts as (
    select * from {{ ref('int_account_open_lines_counted') }}
),

usage_account_features as (
    select * from {{ ref('int_usage_account_features_counted') }}
),

ttm_retention as (
    select * from {{ ref('int_ttm_retention_measured') }}
),

ttm_cohort_accounts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
    where window_months = 12
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

as_of_text as (
    select cast(as_of_date as {{ dbt.type_string() }}) as day from as_of
),

-- churn surveys from accounts that never lost ARR -------------------------------------------

survey_counts as (
    select
        count(*) as surveyed,
        count(case when not lost_arr then 1 end) as affected
    from surveyed_accounts
),

survey_examples as (
    select
        {{ dbt.listagg('account_id', "', '", 'order by surveys desc, account_id', examples) }}
            as example_accounts
    from surveyed_accounts
    where not lost_arr
),

survey_check as (
    select
        'churn_surveys_without_revenue_churn' as check_name,
        'Accounts with a churn survey whose ARR never went to zero (no churn movement), as a '
        || 'share of the accounts with a churn survey.' as description,
        {{ safe_ratio('survey_counts.affected', 'survey_counts.surveyed') }} as observed_value,
        {{ max_survey_share }} as threshold,
        'plausibility_max_survey_without_churn_share' as threshold_var,
        coalesce(
            {{ safe_ratio('survey_counts.affected', 'survey_counts.surveyed') }}
            > {{ max_survey_share }},
            false
        ) as is_flagged,
        survey_counts.affected as affected_accounts,
        survey_examples.example_accounts,
        case
            when survey_counts.surveyed = 0 then 'No churn surveys up to ' || as_of_text.day || '.'
            else {{ format_count('survey_counts.affected') }} || ' of '
                || {{ format_count('survey_counts.surveyed') }}
                || ' accounts with a churn survey ('
                || {{ format_percent('1.0 * survey_counts.affected / survey_counts.surveyed') }}
                || ') never lost their ARR: no churn movement up to ' || as_of_text.day || '.'
        end as detail
    from survey_counts
    cross join survey_examples
    cross join as_of_text
),

-- identical open recurring lines stacked on one account -------------------------------------

stacked_counts as (
    select
        count(*) as accounts_with_open_lines,
        count(case when largest_identical_stack >= 2 then 1 end) as affected,
        max(largest_identical_stack) as worst_stack
    from open_line_accounts
),

stacked_examples as (
    select
        {{ dbt.listagg(
            'account_id', "', '", 'order by largest_identical_stack desc, account_id', examples
        ) }} as example_accounts
    from open_line_accounts
    where largest_identical_stack >= 2
),

stacked_check as (
    select
        'identical_open_recurring_lines' as check_name,
        'Accounts holding 2 or more identical open recurring lines (same product, plan, price, '
        || 'quantity, discount, currency and interval), as a share of the accounts with an open '
        || 'recurring line at as_of_date.' as description,
        {{ safe_ratio('stacked_counts.affected', 'stacked_counts.accounts_with_open_lines') }}
            as observed_value,
        {{ max_stacked_share }} as threshold,
        'plausibility_max_stacked_line_account_share' as threshold_var,
        coalesce(
            {{ safe_ratio('stacked_counts.affected', 'stacked_counts.accounts_with_open_lines') }}
            > {{ max_stacked_share }},
            false
        ) as is_flagged,
        stacked_counts.affected as affected_accounts,
        stacked_examples.example_accounts,
        case
            when stacked_counts.accounts_with_open_lines = 0
                then 'No account has an open recurring line at as_of_date.'
            when stacked_counts.affected = 0
                then 'No account holds identical open recurring lines ('
                    || {{ format_count('stacked_counts.accounts_with_open_lines') }}
                    || ' accounts with open recurring lines).'
            else {{ format_count('stacked_counts.affected') }} || ' of '
                || {{ format_count('stacked_counts.accounts_with_open_lines') }}
                || ' accounts with open recurring lines ('
                || {{ format_percent(
                    '1.0 * stacked_counts.affected / stacked_counts.accounts_with_open_lines'
                ) }}
                || ') have 2 or more identical open recurring lines; the worst has '
                || {{ format_count('stacked_counts.worst_stack') }} || '.'
        end as detail
    from stacked_counts
    cross join stacked_examples
),

-- TTM NRR above the limit ----------------------------------------------------------------------

nrr_windows_ranked as (
    -- only cohorts large enough to judge; the highest NRR first, the latest month on a tie
    select
        *,
        row_number() over (order by nrr desc, as_of_month desc) as nrr_rank
    from ttm_retention
    where cohort_customers >= {{ min_cohort_accounts }}
),

highest_nrr_window as (
    select * from nrr_windows_ranked
    where nrr_rank = 1
),

nrr_outgrowers as (
    -- cohort accounts of that window whose own ARR grew more than the limit
    select ttm_cohort_accounts.account_id
    from ttm_cohort_accounts
    inner join highest_nrr_window
        on ttm_cohort_accounts.as_of_month = highest_nrr_window.as_of_month
    where ttm_cohort_accounts.ending_arr > {{ max_ttm_nrr }} * ttm_cohort_accounts.starting_arr
),

nrr_counts as (
    select
        (select count(*) from highest_nrr_window) as judged_windows,
        (select count(*) from nrr_outgrowers) as affected
),

nrr_examples as (
    select
        {{ dbt.listagg(
            'ttm_cohort_accounts.account_id', "', '",
            'order by ttm_cohort_accounts.ending_arr / ttm_cohort_accounts.starting_arr desc, '
            ~ 'ttm_cohort_accounts.account_id',
            examples
        ) }} as example_accounts
    from ttm_cohort_accounts
    inner join nrr_outgrowers
        on ttm_cohort_accounts.account_id = nrr_outgrowers.account_id
    inner join highest_nrr_window
        on ttm_cohort_accounts.as_of_month = highest_nrr_window.as_of_month
),

nrr_check as (
    select
        'ttm_nrr_above_limit' as check_name,
        'The highest TTM NRR of any month whose cohort has at least '
        || '{{ min_cohort_accounts }} accounts (var plausibility_min_cohort_accounts).'
            as description,
        cast(highest_nrr_window.nrr as {{ double_type() }}) as observed_value,
        {{ max_ttm_nrr }} as threshold,
        'plausibility_max_ttm_nrr' as threshold_var,
        coalesce(highest_nrr_window.nrr > {{ max_ttm_nrr }}, false) as is_flagged,
        nrr_counts.affected as affected_accounts,
        nrr_examples.example_accounts,
        case
            when nrr_counts.judged_windows = 0
                then 'No TTM window has a cohort of {{ min_cohort_accounts }} or more accounts.'
            else 'TTM NRR reaches ' || {{ format_percent('highest_nrr_window.nrr') }}
                || ' at ' || {{ format_month('highest_nrr_window.as_of_month') }}
                || ' (cohort of ' || {{ format_count('highest_nrr_window.cohort_customers') }}
                || ' accounts from ' || {{ format_month('highest_nrr_window.window_start_month') }}
                || '; limit ' || {{ format_percent(max_ttm_nrr) }} || '); '
                || {{ format_count('nrr_counts.affected') }}
                || ' of its accounts grew their ARR more than that.'
        end as detail
    from nrr_counts
    cross join nrr_examples
    left join highest_nrr_window
        on 1 = 1
),

-- logo retention of exactly 100% over a year -------------------------------------------------

latest_ttm_month as (
    -- the window the headline reports; earlier windows of a book that starts with its existing
    -- customers hold survivors only (docs/definitions.md#plausibility)
    select max(as_of_month) as as_of_month from ttm_retention
),

latest_ttm_window as (
    select ttm_retention.*
    from ttm_retention
    inner join latest_ttm_month
        on ttm_retention.as_of_month = latest_ttm_month.as_of_month
),

full_logo_counts as (
    select
        (select count(*) from latest_ttm_window) as judged_windows,
        coalesce((
            select latest_ttm_window.cohort_customers from latest_ttm_window
            where latest_ttm_window.logo_retention = 1
        ), 0) as affected
),

full_logo_examples as (
    select
        {{ dbt.listagg(
            'ttm_cohort_accounts.account_id', "', '",
            'order by ttm_cohort_accounts.starting_arr desc, ttm_cohort_accounts.account_id',
            examples
        ) }} as example_accounts
    from ttm_cohort_accounts
    inner join latest_ttm_window
        on ttm_cohort_accounts.as_of_month = latest_ttm_window.as_of_month
    where latest_ttm_window.logo_retention = 1
),

full_logo_check as (
    select
        'full_logo_retention_over_a_year' as check_name,
        'Logo retention of the latest TTM window; flagged when it is exactly 100% with at '
        || 'least the threshold of cohort accounts (var plausibility_min_cohort_accounts).'
            as description,
        cast(latest_ttm_window.logo_retention as {{ double_type() }}) as observed_value,
        {{ min_cohort_accounts }} as threshold,
        'plausibility_min_cohort_accounts' as threshold_var,
        coalesce(
            latest_ttm_window.logo_retention = 1
            and latest_ttm_window.cohort_customers >= {{ min_cohort_accounts }},
            false
        ) as is_flagged,
        full_logo_counts.affected as affected_accounts,
        full_logo_examples.example_accounts,
        case
            when full_logo_counts.judged_windows = 0 then 'No month has a full TTM window yet.'
            else 'Logo retention is ' || {{ format_percent('latest_ttm_window.logo_retention') }}
                || ' over the 12 months to ' || {{ format_month('latest_ttm_window.as_of_month') }}
                || ': ' || {{ format_count('latest_ttm_window.retained_customers') }} || ' of '
                || {{ format_count('latest_ttm_window.cohort_customers') }}
                || ' cohort accounts kept ARR (100% is judged from '
                || '{{ min_cohort_accounts }} accounts).'
        end as detail
    from full_logo_counts
    cross join full_logo_examples
    left join latest_ttm_window
        on 1 = 1
),

-- usage by accounts that never had ARR -----------------------------------------------------

unbilled_accounts as (
    select
        account_id,
        sum(events) as events
    from usage_account_features
    where not account_had_arr
    group by account_id
),

unbilled_counts as (
    select
        (select coalesce(sum(usage_account_features.events), 0) from usage_account_features)
            as all_events,
        (select coalesce(sum(unbilled_accounts.events), 0) from unbilled_accounts)
            as unbilled_events,
        (select count(*) from unbilled_accounts) as affected
),

unbilled_examples as (
    select
        {{ dbt.listagg('account_id', "', '", 'order by events desc, account_id', examples) }}
            as example_accounts
    from unbilled_accounts
),

unbilled_check as (
    select
        'usage_by_accounts_without_revenue' as check_name,
        'Usage events from accounts that never had ARR up to as_of_date, as a share of all '
        || 'usage events.' as description,
        {{ safe_ratio('unbilled_counts.unbilled_events', 'unbilled_counts.all_events') }}
            as observed_value,
        {{ max_unbilled_share }} as threshold,
        'plausibility_max_unbilled_usage_share' as threshold_var,
        coalesce(
            {{ safe_ratio('unbilled_counts.unbilled_events', 'unbilled_counts.all_events') }}
            > {{ max_unbilled_share }},
            false
        ) as is_flagged,
        unbilled_counts.affected as affected_accounts,
        unbilled_examples.example_accounts,
        case
            when unbilled_counts.all_events = 0 then 'No usage events.'
            else {{ format_count('unbilled_counts.unbilled_events') }} || ' of '
                || {{ format_count('unbilled_counts.all_events') }} || ' usage events ('
                || {{ format_percent(
                    '1.0 * unbilled_counts.unbilled_events / unbilled_counts.all_events'
                ) }}
                || ') come from ' || {{ format_count('unbilled_counts.affected') }}
                || ' accounts that never had ARR.'
        end as detail
    from unbilled_counts
    cross join unbilled_examples
),

-- usage events whose feature is not in the catalogue -----------------------------------------

unknown_features as (
    select
        feature,
        sum(events) as events
    from usage_account_features
    where not is_catalogued
    group by feature
),

unknown_feature_accounts as (
    select
        account_id,
        sum(events) as events
    from usage_account_features
    where not is_catalogued
    group by account_id
),

unknown_counts as (
    select
        (select coalesce(sum(usage_account_features.events), 0) from usage_account_features)
            as all_events,
        (select coalesce(sum(unknown_features.events), 0) from unknown_features)
            as unknown_events,
        (select count(*) from unknown_features) as features,
        (select count(*) from unknown_feature_accounts) as affected
),

unknown_features_named as (
    select
        {{ dbt.listagg(
            "coalesce(feature, '(null)') || ' (' || " ~ format_count('events') ~ " || ')'",
            "', '", 'order by events desc, feature', features_named
        ) }} as feature_list
    from unknown_features
),

unknown_examples as (
    select
        {{ dbt.listagg('account_id', "', '", 'order by events desc, account_id', examples) }}
            as example_accounts
    from unknown_feature_accounts
),

unknown_check as (
    select
        'usage_features_not_in_catalogue' as check_name,
        'Usage events whose feature is not in seeds/feature_catalogue.csv (the adoption signals '
        || 'ignore them), as a share of all usage events.' as description,
        {{ safe_ratio('unknown_counts.unknown_events', 'unknown_counts.all_events') }}
            as observed_value,
        {{ max_unknown_share }} as threshold,
        'plausibility_max_unknown_feature_share' as threshold_var,
        coalesce(
            {{ safe_ratio('unknown_counts.unknown_events', 'unknown_counts.all_events') }}
            > {{ max_unknown_share }},
            false
        ) as is_flagged,
        unknown_counts.affected as affected_accounts,
        unknown_examples.example_accounts,
        case
            when unknown_counts.all_events = 0 then 'No usage events.'
            when unknown_counts.unknown_events = 0
                then 'Every usage event names a feature of seeds/feature_catalogue.csv.'
            else {{ format_count('unknown_counts.unknown_events') }} || ' of '
                || {{ format_count('unknown_counts.all_events') }} || ' usage events ('
                || {{ format_percent(
                    '1.0 * unknown_counts.unknown_events / unknown_counts.all_events'
                ) }}
                || ') name ' || {{ format_count('unknown_counts.features') }}
                || ' features not in seeds/feature_catalogue.csv, which adoption ignores; '
                || 'most used: ' || unknown_features_named.feature_list || '.'
        end as detail
    from unknown_counts
    cross join unknown_features_named
    cross join unknown_examples
),

-- all checks ---------------------------------------------------------------------------------

checks as (
    select * from survey_check
    union all
    select * from stacked_check
    union all
    select * from nrr_check
    union all
    select * from full_logo_check
    union all
    select * from unbilled_check
    union all
    select * from unknown_check
),

final as (
    select
        cast(check_name as {{ dbt.type_string() }}) as check_name,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(observed_value as {{ double_type() }}) as observed_value,
        cast(threshold as {{ double_type() }}) as threshold,
        cast(threshold_var as {{ dbt.type_string() }}) as threshold_var,
        is_flagged,
        cast(affected_accounts as {{ dbt.type_bigint() }}) as affected_accounts,
        cast(example_accounts as {{ dbt.type_string() }}) as example_accounts,
        cast(detail as {{ dbt.type_string() }}) as detail
    from checks
)

select * from final
