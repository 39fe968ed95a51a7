{#-
    The accounts behind each cause of the NRR diagnosis (docs/definitions.md#nrr-diagnosis), one
    row per cause and account, with the ARR at risk (lost at the churn, or paying at the as-of
    month for the expansion leaks) and the evidence in words. `in_population` marks the accounts
    a share-type cause is measured over; `is_behind` the ones that count against it.
-#}
-- The union branches after the first take its column names, and their one-table selects
-- read unqualified columns: AL03 and RF02 do not apply to them.
-- noqa: disable=AL03,RF02
with

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

line_items as (
    select * from {{ ref('stg_raw__subscription_line_items') }}
),

users as (
    select * from {{ ref('stg_raw__users') }}
),

snapshots as (
    select * from {{ ref('int_month_snapshots_spined') }}
),

as_of_snapshot as (
    select snapshots.snapshot_date
    from snapshots
    inner join diagnosis
        on snapshots.month = diagnosis.as_of_month
),

lost_in_window as (
    -- ARR lost at churns in the trailing 12 months and in the last 2 complete quarters
    select
        movements.account_id,
        sum(case when movements.movement_type = 'churn' then movements.previous_arr else 0 end)
            as ttm_lost_arr,
        sum(case
            when movements.movement_type = 'churn' and movements.month >= diagnosis.recent_start_month
                then movements.previous_arr
            else 0
        end) as recent_lost_arr,
        max(case
            when movements.movement_type = 'expansion' and movements.month >= diagnosis.recent_start_month
                then 1
            else 0
        end) as expanded_recently,
        max(case
            when movements.movement_type = 'expansion' and movements.month < diagnosis.recent_start_month
                and movements.month >= diagnosis.prior_start_month
                then 1
            else 0
        end) as expanded_before,
        max(case
            when movements.movement_type = 'expansion' and movements.month >= diagnosis.ttm_start_month
                then 1
            else 0
        end) as expanded_in_ttm
    from movements
    cross join diagnosis
    where movements.month >= diagnosis.prior_start_month
        and movements.month <= diagnosis.as_of_month
    group by movements.account_id
),

survey_reasons as (
    select
        surveys.account_id,
        max(case
            when surveys.reason_category = 'missing_feature'
                and cast({{ dbt.date_trunc('month', 'surveys.submitted_at') }} as date)
                between diagnosis.ttm_start_month and diagnosis.as_of_month
                then 1
            else 0
        end) as said_missing_feature,
        max(case
            when surveys.reason_category = 'competitor'
                and cast({{ dbt.date_trunc('month', 'surveys.submitted_at') }} as date)
                between diagnosis.recent_start_month and diagnosis.as_of_month
                then 1
            else 0
        end) as said_competitor,
        max(case
            when surveys.reason_category = 'competitor'
                and cast({{ dbt.date_trunc('month', 'surveys.submitted_at') }} as date)
                between diagnosis.recent_start_month and diagnosis.as_of_month
                then surveys.competitor_name
        end) as competitor_name
    from surveys
    cross join diagnosis
    group by surveys.account_id
),

open_lines as (
    select
        line_items.account_id,
        max(case when line_items.line_type = 'usage' then 1 else 0 end) as has_usage_line,
        max(case
            when line_items.line_type = 'recurring' and line_items.product <> 'platform'
                and line_items.unit_price > 0 then 1
            else 0
        end) as has_addon,
        max(case
            when line_items.line_type = 'recurring' and line_items.product = 'platform'
                then line_items.quantity
        end) as seats
    from line_items
    cross join as_of_snapshot
    where line_items.start_date <= as_of_snapshot.snapshot_date
        and (line_items.end_date is null or line_items.end_date > as_of_snapshot.snapshot_date)
    group by line_items.account_id
),

active_users as (
    select
        users.account_id,
        count(*) as active_users
    from users
    cross join as_of_snapshot
    where cast(users.created_at as date) <= as_of_snapshot.snapshot_date
        and (
            users.deactivated_at is null
            or cast(users.deactivated_at as date) > as_of_snapshot.snapshot_date
        )
    group by users.account_id
),

accounts as (
    select
        profiles.*,
        survey_reasons.competitor_name,
        open_lines.seats,
        coalesce(lost_in_window.ttm_lost_arr, 0) as ttm_lost_arr,
        coalesce(lost_in_window.recent_lost_arr, 0) as recent_lost_arr,
        coalesce(lost_in_window.expanded_recently, 0) as expanded_recently,
        coalesce(lost_in_window.expanded_before, 0) as expanded_before,
        coalesce(lost_in_window.expanded_in_ttm, 0) as expanded_in_ttm,
        coalesce(survey_reasons.said_missing_feature, 0) as said_missing_feature,
        coalesce(survey_reasons.said_competitor, 0) as said_competitor,
        coalesce(open_lines.has_usage_line, 0) as has_usage_line,
        coalesce(open_lines.has_addon, 0) as has_addon,
        coalesce(active_users.active_users, 0) as active_users
    from profiles
    left join lost_in_window
        on profiles.account_id = lost_in_window.account_id
    left join survey_reasons
        on profiles.account_id = survey_reasons.account_id
    left join open_lines
        on profiles.account_id = open_lines.account_id
    left join active_users
        on profiles.account_id = active_users.account_id
),

causes as (
    select
        'product_gap' as cause_key,
        account_id,
        true as in_population,
        true as is_behind,
        ttm_lost_arr as arr_at_risk,
        'churn survey in the trailing 12 months: missing_feature' as evidence
    from accounts
    where said_missing_feature = 1
    union all
    select
        'time_to_value_failure',
        accounts.account_id,
        true,
        true,
        first_churn_lost_arr,
        {{ dbt.concat(["'first churn at tenure month '",
            dbt.cast('first_churn_tenure_months', dbt.type_string())]) }}
    from accounts
    cross join diagnosis
    where first_revenue_month >= cast({{ dbt.dateadd('month', -24, 'diagnosis.as_of_month') }} as date)
        and first_churn_tenure_months between 3 and 6
    union all
    select
        'icp_drift',
        accounts.account_id,
        true,
        true,
        first_churn_lost_arr,
        {{ dbt.concat(["'recent cohort '", 'signup_quarter', "' lost between months 6 and 12'"]) }}
    from accounts
    cross join diagnosis
    where first_revenue_month >= cast({{ dbt.dateadd('month', -23, 'diagnosis.as_of_month') }} as date)
        and first_revenue_month <= cast({{ dbt.dateadd('month', -12, 'diagnosis.as_of_month') }} as date)
        and is_retained_6m and not is_retained_12m
    union all
    select
        'cs_under_investment',
        account_id,
        true,
        true,
        first_churn_lost_arr,
        'term contract lost at its first renewal'
    from accounts
    where first_term_months >= 12 and first_churn_tenure_months between 12 and 13
    union all
    select
        'competitive_displacement',
        account_id,
        true,
        true,
        recent_lost_arr,
        {{ dbt.concat(["'churn survey in the last 2 quarters: competitor '",
            "coalesce(competitor_name, '(not named)')"]) }}
    from accounts
    where said_competitor = 1
    union all
    select
        'no_upsell_motion',
        account_id,
        true,
        true,
        as_of_arr,
        'expanded in the 4 quarters before the last 2, not in the last 2'
    from accounts
    where as_of_arr > 0 and expanded_before = 1 and expanded_recently = 0
    union all
    select
        'missed_seat_growth',
        account_id,
        true,
        expanded_recently = 0,
        as_of_arr,
        {{ dbt.concat(["'active users '", dbt.cast('active_users', dbt.type_string()),
            "' above licensed seats, '",
            "case when expanded_recently = 0 then 'no' else 'an' end",
            "' expansion in the last 2 quarters'"]) }}
    from accounts
    where as_of_arr > 0 and active_users > seats
    union all
    select
        'missed_module_attach',
        account_id,
        true,
        has_addon = 0,
        as_of_arr,
        case when has_addon = 0 then 'paying 12+ months, core product only'
            else 'paying 12+ months, with an add-on'
        end
    from accounts
    where as_of_arr > 0 and observed_tenure_months >= 12
    union all
    select
        'contract_mechanic_friction',
        account_id,
        true,
        expanded_in_ttm = 0,
        as_of_arr,
        case when expanded_in_ttm = 0 then 'term contract, no expansion in the trailing 12 months'
            else 'term contract, expanded in the trailing 12 months'
        end
    from accounts
    where as_of_arr > 0 and first_term_months >= 12
    union all
    select
        'no_value_metric_pricing',
        account_id,
        true,
        has_usage_line = 0,
        as_of_arr,
        case when has_usage_line = 0 then 'no usage-priced line' else 'has a usage-priced line' end
    from accounts
    where as_of_arr > 0
),

final as (
    select
        causes.cause_key,
        causes.account_id,
        causes.in_population,
        causes.is_behind,
        cast(causes.arr_at_risk as {{ double_type() }}) as arr_at_risk,
        causes.evidence,
        accounts.segment,
        accounts.industry
    from causes
    inner join accounts
        on causes.account_id = accounts.account_id
)

select * from final
