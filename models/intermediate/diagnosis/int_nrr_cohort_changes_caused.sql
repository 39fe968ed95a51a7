{#-
    Every account of the two TTM cohorts that fct_nrr_change_attribution compares
    (int_nrr_attribution_months_resolved; the cohorts of int_retention_cohorts_paired, the
    definition of fct_net_revenue_retention), with its segment, its expansion and its loss
    (contraction or churn), and the cause of the loss with the evidence behind it
    (docs/definitions.md#nrr-change-attribution). The first evidence found, in this order,
    names the cause of an account whose ARR fell in the window:
      1. churn_survey   a churn survey submitted from the window start to winback_survey_match_days
                        after the window end (the latest one): its reason category
      2. crm_event      a competitor signal (seed crm_event_types) in the window: competitor
      3. crm_event      a champion departure in the window: champion_left
      4. onboarding     the first-value milestone (var onboarding_first_value_milestone) missed in
                        its window: activation_failure
      5. line_items     fewer paid seats (quantity of recurring lines with ARR) at the window end
                        than at its start, the account still paying: seat_contraction
    Otherwise the loss is unattributed. Accounts without a loss have no cause.
-#}
{%- set survey_match_days = var('winback_survey_match_days') -%}

with

months as (
    select * from {{ ref('int_nrr_attribution_months_resolved') }}
),

cohorts as (
    select * from {{ ref('int_retention_cohorts_paired') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

surveys as (
    select * from {{ ref('stg_raw__churn_surveys') }}
),

crm_events as (
    select * from {{ ref('int_crm_events_classified') }}
),

milestones as (
    select * from {{ ref('int_onboarding_milestones_reached') }}
    where milestone = '{{ var("onboarding_first_value_milestone") }}'
),

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
    where arr_usd > 0
),

snapshots as (
    select * from {{ ref('int_month_snapshots_spined') }}
),

cohort_accounts as (
    select
        months.period_role,
        cohorts.as_of_month,
        cohorts.window_months,
        cohorts.window_start_month,
        cohorts.account_id,
        accounts.segment,
        cast(cohorts.starting_arr as {{ double_type() }}) as starting_arr,
        cast(cohorts.ending_arr as {{ double_type() }}) as ending_arr,
        starts.snapshot_date as window_start_date,
        ends.snapshot_date as window_end_date
    from months
    inner join cohorts
        on months.as_of_month = cohorts.as_of_month
        and months.window_months = cohorts.window_months
    inner join accounts
        on cohorts.account_id = accounts.account_id
    inner join snapshots as starts
        on cohorts.window_start_month = starts.month
    inner join snapshots as ends
        on cohorts.as_of_month = ends.month
),

losing_accounts as (
    select * from cohort_accounts
    where ending_arr < starting_arr
),

surveys_in_window as (
    select
        losing_accounts.period_role,
        losing_accounts.account_id,
        surveys.reason_category,
        row_number() over (
            partition by losing_accounts.period_role, losing_accounts.account_id
            order by surveys.submitted_at desc, surveys.survey_id desc
        ) as survey_rank
    from losing_accounts
    inner join surveys
        on losing_accounts.account_id = surveys.account_id
        and cast(surveys.submitted_at as date) > losing_accounts.window_start_date
        and cast(surveys.submitted_at as date)
        <= {{ dbt.dateadd('day', survey_match_days, 'losing_accounts.window_end_date') }}
    where surveys.reason_category is not null
),

crm_in_window as (
    select
        losing_accounts.period_role,
        losing_accounts.account_id,
        max(case when crm_events.is_competitor_signal then 1 else 0 end) as has_competitor_signal,
        max(case when crm_events.is_champion_departure then 1 else 0 end) as has_champion_departure
    from losing_accounts
    inner join crm_events
        on losing_accounts.account_id = crm_events.account_id
        and crm_events.occurred_on > losing_accounts.window_start_date
        and crm_events.occurred_on <= losing_accounts.window_end_date
    group by losing_accounts.period_role, losing_accounts.account_id
),

activation_failures as (
    -- as fct_onboarding_milestones.is_reached_within_window = false
    select distinct account_id
    from milestones
    where
        (hours_to_reach is not null and hours_to_reach > window_hours)
        or (hours_to_reach is null and hours_observed >= window_hours)
),

seats as (
    select
        losing_accounts.period_role,
        losing_accounts.account_id,
        sum(case
            when line_items.start_date <= losing_accounts.window_start_date
                and (line_items.end_date is null or line_items.end_date > losing_accounts.window_start_date)
                then line_items.quantity
            else 0
        end) as starting_seats,
        sum(case
            when line_items.start_date <= losing_accounts.window_end_date
                and (line_items.end_date is null or line_items.end_date > losing_accounts.window_end_date)
                then line_items.quantity
            else 0
        end) as ending_seats
    from losing_accounts
    inner join line_items
        on losing_accounts.account_id = line_items.account_id
    group by losing_accounts.period_role, losing_accounts.account_id
),

evidenced as (
    select
        cohort_accounts.*,
        surveys_in_window.reason_category as survey_reason,
        case
            when cohort_accounts.ending_arr > cohort_accounts.starting_arr
                then cohort_accounts.ending_arr - cohort_accounts.starting_arr
            else 0
        end as expansion_arr,
        case
            when cohort_accounts.ending_arr < cohort_accounts.starting_arr
                then cohort_accounts.starting_arr - cohort_accounts.ending_arr
            else 0
        end as loss_arr,
        coalesce(crm_in_window.has_competitor_signal, 0) = 1 as has_competitor_signal,
        coalesce(crm_in_window.has_champion_departure, 0) = 1 as has_champion_departure,
        activation_failures.account_id is not null as has_activation_failure,
        cohort_accounts.ending_arr > 0 and seats.ending_seats < seats.starting_seats
            as has_seat_contraction
    from cohort_accounts
    left join surveys_in_window
        on cohort_accounts.period_role = surveys_in_window.period_role
        and cohort_accounts.account_id = surveys_in_window.account_id
        and surveys_in_window.survey_rank = 1
    left join crm_in_window
        on cohort_accounts.period_role = crm_in_window.period_role
        and cohort_accounts.account_id = crm_in_window.account_id
    left join activation_failures
        on cohort_accounts.account_id = activation_failures.account_id
    left join seats
        on cohort_accounts.period_role = seats.period_role
        and cohort_accounts.account_id = seats.account_id
),

final as (
    select
        period_role,
        as_of_month,
        window_months,
        window_start_month,
        account_id,
        segment,
        starting_arr,
        ending_arr,
        expansion_arr,
        loss_arr,
        case
            when loss_arr = 0 then null
            when survey_reason is not null then survey_reason
            when has_competitor_signal then 'competitor'
            when has_champion_departure then 'champion_left'
            when has_activation_failure then 'activation_failure'
            when has_seat_contraction then 'seat_contraction'
            else 'unattributed'
        end as loss_cause,
        case
            when loss_arr = 0 then null
            when survey_reason is not null then 'churn_survey'
            when has_competitor_signal or has_champion_departure then 'crm_event'
            when has_activation_failure then 'onboarding'
            when has_seat_contraction then 'line_items'
            else 'none'
        end as evidence_source
    from evidenced
)

select * from final
