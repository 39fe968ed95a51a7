{#-
    Renewal checkpoints rated (docs/definitions.md#renewal-risk): every renewal (the end date of
    a term contract) checked at each checkpoint (90, 60 and 30 days out as shipped), as soon as
    that day is reached. Red flags as they stood at the checkpoint: low usage, no active
    champion, payment trouble, competitor signals, no executive touch in 6 months. Red: two or
    more flags; amber: one; green: none (as shipped).
    The checkpoints, every flag's threshold and the rating's counts are rows of the seed
    `renewal_red_flags` (docs/definitions.md#renewal-red-flags), joined at run time; which CRM
    events are executive touches says int_crm_events_classified (seed `crm_event_types`).
    Once the renewal date (plus `renewal_grace_days`) has passed, the outcome is recorded, so
    the forecast's accuracy is a table, not a claim. A flag fires only from data that exists:
    a renewal whose health is insufficient_data is not red for low health
    (docs/definitions.md#health-coverage).

    An intermediate model, published as health.fct_renewal_risk: the intervention episodes
    (int_intervention_snapshots_stretched) read the red rating too, and an intermediate model
    reads no mart. The health scores are read from int_account_health_scored, whose rows and
    score columns fct_account_health publishes unchanged.
-#}
with

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

health as (
    select * from {{ ref('int_account_health_scored') }}
),

crm_events as (
    select * from {{ ref('int_crm_events_classified') }}
),

red_flag_rules as (
    select * from {{ ref('renewal_red_flags') }}
),

users as (
    select * from {{ ref('stg_raw__users') }}
),

sessions as (
    select * from {{ ref('int_usage_sessions_aggregated') }}
),

rules as (
    -- the seed's scalar rules as one row; a rule missing from the seed fails its data test
    select
        cast(max(case when rule = 'executive_touch_lookback_days' then value end) as integer)
            as executive_touch_lookback_days,
        cast(max(case when rule = 'active_stakeholder_days' then value end) as integer)
            as active_stakeholder_days,
        max(case when rule = 'adoption_score_below' then value end) as adoption_score_below,
        max(case when rule = 'usage_trend_below' then value end) as usage_trend_below,
        max(case when rule = 'champion_inactive_days_at_least' then value end)
            as champion_inactive_days_at_least,
        max(case when rule = 'payment_behaviour_above' then value end) as payment_behaviour_above,
        max(case when rule = 'competitor_signals_above' then value end) as competitor_signals_above,
        max(case when rule = 'sponsor_inactive_days_at_least' then value end)
            as sponsor_inactive_days_at_least,
        max(case when rule = 'red_at_least_flags' then value end) as red_at_least_flags,
        max(case when rule = 'amber_at_least_flags' then value end) as amber_at_least_flags
    from red_flag_rules
),

checkpoint_days as (
    select distinct cast(value as integer) as days_out
    from red_flag_rules
    where rule = 'checkpoint_days_out'
),

renewals as (
    select
        account_id,
        end_date as renewal_date,
        {{ round_to_cents('sum(arr_usd)') }} as renewing_arr
    from line_items
    where interval_months >= 12
        and end_date is not null
    group by account_id, end_date
),

checkpoints as (
    select
        renewals.*,
        checkpoint_days.days_out,
        cast({{ dbt.dateadd('day', '-1 * checkpoint_days.days_out', 'renewals.renewal_date') }} as date)
            as checkpoint_date
    from renewals
    cross join checkpoint_days
),

reached as (
    select checkpoints.*
    from checkpoints
    cross join as_of
    where checkpoints.checkpoint_date <= as_of.as_of_date
),

latest_health as (
    -- the last health snapshot on or before the checkpoint
    select
        reached.account_id,
        reached.renewal_date,
        reached.days_out,
        max(health.snapshot_date) as health_snapshot_date
    from reached
    inner join health
        on reached.account_id = health.account_id
        and reached.checkpoint_date >= health.snapshot_date
    group by reached.account_id, reached.renewal_date, reached.days_out
),

executive_touches as (
    select
        reached.account_id,
        reached.renewal_date,
        reached.days_out,
        count(*) as touches
    from reached
    cross join rules
    inner join crm_events
        on reached.account_id = crm_events.account_id
        and crm_events.is_executive_touch
        and {{ in_days_before(
            'crm_events.occurred_at', 'reached.checkpoint_date', 'rules.executive_touch_lookback_days'
        ) }}
    group by reached.account_id, reached.renewal_date, reached.days_out
),

stakeholders as (
    -- users active at the checkpoint who used the product in the 30 days before it
    select
        reached.account_id,
        reached.renewal_date,
        reached.days_out,
        count(distinct case when users.role = 'champion' then users.user_id end)
            as active_champions,
        count(distinct case when users.role = 'executive_sponsor' then users.user_id end)
            as active_executive_sponsors,
        count(distinct case when users.role = 'end_user' then users.user_id end)
            as active_end_users
    from reached
    cross join rules
    inner join users
        on reached.account_id = users.account_id
        and users.created_at < reached.checkpoint_date
        and (users.deactivated_at is null or users.deactivated_at >= reached.checkpoint_date)
    inner join sessions
        on users.account_id = sessions.account_id
        and users.user_id = sessions.user_id
        and {{ in_days_before(
            'sessions.usage_date', 'reached.checkpoint_date', 'rules.active_stakeholder_days'
        ) }}
    group by reached.account_id, reached.renewal_date, reached.days_out
),

outcome_arr as (
    -- ARR the day before the renewal and `renewal_grace_days` after it
    select
        renewals.account_id,
        renewals.renewal_date,
        coalesce(sum(case
            when line_items.start_date < renewals.renewal_date
                and (line_items.end_date is null or line_items.end_date >= renewals.renewal_date)
                then line_items.arr_usd
        end), 0) as arr_before,
        coalesce(sum(case
            when line_items.start_date
                <= {{ dbt.dateadd('day', var('renewal_grace_days'), 'renewals.renewal_date') }}
                and (
                    line_items.end_date is null
                    or line_items.end_date
                    > {{ dbt.dateadd('day', var('renewal_grace_days'), 'renewals.renewal_date') }}
                )
                then line_items.arr_usd
        end), 0) as arr_after
    from renewals
    inner join line_items
        on renewals.account_id = line_items.account_id
    group by renewals.account_id, renewals.renewal_date
),

flagged as (
    select
        reached.account_id,
        reached.renewal_date,
        reached.days_out,
        reached.checkpoint_date,
        reached.renewing_arr,
        health.snapshot_date as health_snapshot_date,
        health.composite_score,
        health.band,
        health.signal_coverage as health_signal_coverage,
        -- a flag needs the data it reads: without usage there is no low usage to see, and
        -- without users, usage or CRM events no missing champion or executive (an absent
        -- health snapshot or insufficient_data raises no flag of its own)
        coalesce(
            health.has_usage_data
            and (
                health.adoption_score < rules.adoption_score_below
                or health.usage_trend_value < rules.usage_trend_below
            ),
            false
        ) as has_low_usage,
        coalesce(
            health.has_user_data and health.has_usage_data
            and health.champion_activity_value >= rules.champion_inactive_days_at_least,
            false
        ) as has_no_active_champion,
        coalesce(health.payment_behaviour_value > rules.payment_behaviour_above, false)
            as has_payment_trouble,
        coalesce(health.competitor_signals_value > rules.competitor_signals_above, false)
            as has_competitor_signals,
        coalesce(
            (health.has_crm_data or (health.has_user_data and health.has_usage_data))
            and coalesce(executive_touches.touches, 0) = 0
            and (
                not (health.has_user_data and health.has_usage_data)
                or health.executive_sponsor_activity_value >= rules.sponsor_inactive_days_at_least
            ),
            false
        ) as has_no_executive_touch,
        coalesce(stakeholders.active_champions, 0) as active_champions,
        coalesce(stakeholders.active_executive_sponsors, 0) as active_executive_sponsors,
        coalesce(stakeholders.active_end_users, 0) as active_end_users
    from reached
    cross join rules
    left join latest_health
        on reached.account_id = latest_health.account_id
        and reached.renewal_date = latest_health.renewal_date
        and reached.days_out = latest_health.days_out
    left join health
        on latest_health.account_id = health.account_id
        and latest_health.health_snapshot_date = health.snapshot_date
    left join executive_touches
        on reached.account_id = executive_touches.account_id
        and reached.renewal_date = executive_touches.renewal_date
        and reached.days_out = executive_touches.days_out
    left join stakeholders
        on reached.account_id = stakeholders.account_id
        and reached.renewal_date = stakeholders.renewal_date
        and reached.days_out = stakeholders.days_out
),

counted as (
    select
        *,
        case when has_low_usage then 1 else 0 end
        + case when has_no_active_champion then 1 else 0 end
        + case when has_payment_trouble then 1 else 0 end
        + case when has_competitor_signals then 1 else 0 end
        + case when has_no_executive_touch then 1 else 0 end as red_flags
    from flagged
),

rated as (
    select
        counted.*,
        case
            when counted.red_flags >= rules.red_at_least_flags then 'red'
            when counted.red_flags >= rules.amber_at_least_flags then 'amber'
            else 'green'
        end as risk_rating,
        case
            when {{ dbt.dateadd('day', var('renewal_grace_days'), 'counted.renewal_date') }}
                > as_of.as_of_date then 'pending'
            when outcome_arr.arr_after = 0 then 'lost'
            when {{ round_to_cents('outcome_arr.arr_after') }}
                < {{ round_to_cents('outcome_arr.arr_before') }} then 'downgraded'
            else 'renewed'
        end as outcome,
        {{ round_to_cents('outcome_arr.arr_before') }} as arr_before_renewal,
        {{ round_to_cents('outcome_arr.arr_after') }} as arr_after_renewal
    from counted
    cross join as_of
    cross join rules
    left join outcome_arr
        on counted.account_id = outcome_arr.account_id
        and counted.renewal_date = outcome_arr.renewal_date
),

final as (
    select
        account_id,
        renewal_date,
        days_out,
        checkpoint_date,
        renewing_arr,
        health_snapshot_date,
        composite_score,
        band,
        health_signal_coverage,
        has_low_usage,
        has_no_active_champion,
        has_payment_trouble,
        has_competitor_signals,
        has_no_executive_touch,
        red_flags,
        risk_rating,
        active_champions,
        active_executive_sponsors,
        active_end_users,
        outcome,
        arr_before_renewal,
        arr_after_renewal
    from rated
)

select * from final
