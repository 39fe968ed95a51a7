{#-
    Expansion triggers gated by health (docs/definitions.md#expansion-triggers): the playbook's
    five trigger types at each health snapshot, acted on only when the account is healthy or
    thriving (never upsell a frustrated customer), and what happened next, so each trigger's
    conversion is measured rather than assumed.
-#}
with

health as (
    select * from {{ ref('fct_account_health') }}
),

crm_events as (
    select * from {{ ref('stg_raw__crm_events') }}
),

account_months as (
    select * from {{ ref('fct_account_arr_monthly') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

event_triggers as (
    select
        health.account_id,
        health.snapshot_date,
        case
            when crm_events.event_type = 'higher_tier_feature_attempt' then 'feature_based'
            when crm_events.event_type in ('unlicensed_user_invited', 'export_shared_externally')
                then 'team_based'
            when crm_events.event_type = 'outcome_milestone' then 'milestone_based'
            when crm_events.event_type = 'new_executive' then 'stakeholder_based'
        end as trigger_type
    from health
    inner join crm_events
        on health.account_id = crm_events.account_id
        and {{ in_days_before('crm_events.occurred_at', 'health.snapshot_date', 7) }}
    where crm_events.event_type in (
            'higher_tier_feature_attempt', 'unlicensed_user_invited', 'export_shared_externally',
            'outcome_milestone', 'new_executive'
        )
),

usage_triggers as (
    -- approaching the plan limit: most licensed seats in active use
    select
        account_id,
        snapshot_date,
        'usage_based' as trigger_type
    from health
    where seat_penetration_value >= 0.8
),

triggers as (
    select distinct * from event_triggers
    union
    select * from usage_triggers
),

outcomes as (
    select
        triggers.account_id,
        triggers.snapshot_date,
        triggers.trigger_type,
        count(case when account_months.movement_type = 'expansion' then 1 end) > 0
            as expanded_within_90_days
    from triggers
    left join account_months
        on triggers.account_id = account_months.account_id
        and account_months.month > triggers.snapshot_date
        and account_months.month <= {{ dbt.dateadd('day', 90, 'triggers.snapshot_date') }}
    group by triggers.account_id, triggers.snapshot_date, triggers.trigger_type
),

final as (
    select
        triggers.account_id,
        triggers.snapshot_date,
        triggers.trigger_type,
        health.band,
        health.composite_score,
        health.arr,
        health.csm_owner,
        health.band in ('thriving', 'healthy') as is_actionable,
        case
            when health.band = 'thriving' then 'Proactive, direct expansion conversation'
            when health.band = 'healthy' then 'Soft expansion: feature education and use-case content'
            when health.band = 'at_risk' then 'No expansion activity: stabilise first'
            -- too little data is no low score: no save effort, but no upsell call either
            when health.band = 'insufficient_data'
                then 'No expansion call: too little data to judge health'
            else 'Save effort only: escalate, do not upsell'
        end as approach,
        case
            when health.band = 'thriving' then 'CSM + in-app'
            when health.band = 'healthy' then 'Email + in-app'
            when health.band = 'at_risk' then 'CSM outreach'
            when health.band = 'insufficient_data' then 'CSM review of the missing data'
            else 'Executive escalation'
        end as channel,
        case
            when {{ dbt.dateadd('day', 90, 'triggers.snapshot_date') }} > as_of.as_of_date
                then null
            else outcomes.expanded_within_90_days
        end as expanded_within_90_days
    from triggers
    inner join health
        on triggers.account_id = health.account_id
        and triggers.snapshot_date = health.snapshot_date
    inner join outcomes
        on triggers.account_id = outcomes.account_id
        and triggers.snapshot_date = outcomes.snapshot_date
        and triggers.trigger_type = outcomes.trigger_type
    cross join as_of
)

select * from final
