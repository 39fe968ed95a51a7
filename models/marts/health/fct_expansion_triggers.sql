{#-
    Expansion triggers gated by health (docs/definitions.md#expansion-triggers): the playbook's
    five trigger types at each health snapshot, acted on only when the account is healthy or
    thriving (never upsell a frustrated customer), and what happened next, so each trigger's
    conversion is measured rather than assumed. Which CRM event is which trigger says
    int_crm_events_classified (seed `crm_event_types`); the lookback, the seat-penetration
    threshold and the outcome window are rows of the seed `expansion_trigger_rules`, and the
    approach, channel and whether to act come from each band's row of `health_bands`
    (docs/definitions.md#expansion-trigger-rules), all joined at run time. Whether a trigger
    converted is read from the revenue mart fct_account_arr_monthly (an expansion movement in
    the outcome window), so a conversion is the same expansion the waterfall counts, not a
    second definition of one.
-#}
with

health as (
    select * from {{ ref('fct_account_health') }}
),

crm_events as (
    select * from {{ ref('int_crm_events_classified') }}
),

trigger_rules as (
    select * from {{ ref('expansion_trigger_rules') }}
),

bands as (
    select * from {{ ref('health_bands') }}
),

account_months as (
    select * from {{ ref('fct_account_arr_monthly') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

rules as (
    -- the seed's rules as one row; a rule missing from the seed fails its data test
    select
        cast(max(case when rule = 'event_lookback_days' then value end) as integer)
            as event_lookback_days,
        cast(max(case when rule = 'outcome_window_days' then value end) as integer)
            as outcome_window_days,
        max(case when rule = 'usage_seat_penetration_at_least' then value end)
            as usage_seat_penetration_at_least
    from trigger_rules
),

event_triggers as (
    select
        health.account_id,
        health.snapshot_date,
        crm_events.expansion_trigger_type as trigger_type
    from health
    cross join rules
    inner join crm_events
        on health.account_id = crm_events.account_id
        and {{ in_days_before(
            'crm_events.occurred_at', 'health.snapshot_date', 'rules.event_lookback_days'
        ) }}
    where crm_events.expansion_trigger_type is not null
),

usage_triggers as (
    -- approaching the plan limit: most licensed seats in active use
    select
        health.account_id,
        health.snapshot_date,
        'usage_based' as trigger_type
    from health
    cross join rules
    where health.seat_penetration_value >= rules.usage_seat_penetration_at_least
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
    cross join rules
    left join account_months
        on triggers.account_id = account_months.account_id
        and account_months.month > triggers.snapshot_date
        and account_months.month
        <= {{ dbt.dateadd('day', 'rules.outcome_window_days', 'triggers.snapshot_date') }}
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
        coalesce(bands.is_expansion_actionable, false) as is_actionable,
        bands.expansion_approach as approach,
        bands.expansion_channel as channel,
        case
            when {{ dbt.dateadd('day', 'rules.outcome_window_days', 'triggers.snapshot_date') }}
                > as_of.as_of_date
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
    cross join rules
    left join bands
        on health.band = bands.band
)

select * from final
