{#-
    Renewal forecast (docs/definitions.md#renewal-risk): every renewal (the end date of a term
    contract) checked at 90, 60 and 30 days out, as soon as that day is reached. Red flags as
    they stood at the checkpoint: low usage, no active champion, payment trouble, competitor
    signals, no executive touch in 6 months. Red: two or more flags; amber: one; green: none.
    Once the renewal date (plus `renewal_grace_days`) has passed, the outcome is recorded, so
    the forecast's accuracy is a table, not a claim. A flag fires only from data that exists:
    a renewal whose health is insufficient_data is not red for low health
    (docs/definitions.md#health-coverage).
-#}
with

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

health as (
    select * from {{ ref('fct_account_health') }}
),

crm_events as (
    select * from {{ ref('stg_raw__crm_events') }}
),

users as (
    select * from {{ ref('stg_raw__users') }}
),

sessions as (
    select * from {{ ref('int_usage_sessions_aggregated') }}
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
    {% for days_out in [90, 60, 30] -%}
        select
            renewals.*,
            {{ days_out }} as days_out,
            cast({{ dbt.dateadd('day', -days_out, 'renewals.renewal_date') }} as date) as checkpoint_date
        from renewals
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
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
    inner join crm_events
        on reached.account_id = crm_events.account_id
        and crm_events.event_type in ('executive_touch', 'qbr_held')
        and {{ in_days_before('crm_events.occurred_at', 'reached.checkpoint_date', 183) }}
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
    inner join users
        on reached.account_id = users.account_id
        and users.created_at < reached.checkpoint_date
        and (users.deactivated_at is null or users.deactivated_at >= reached.checkpoint_date)
    inner join sessions
        on users.account_id = sessions.account_id
        and users.user_id = sessions.user_id
        and {{ in_days_before('sessions.usage_date', 'reached.checkpoint_date', 30) }}
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
            and (health.adoption_score < 50 or health.usage_trend_value < 0.7),
            false
        ) as has_low_usage,
        coalesce(
            health.has_user_data and health.has_usage_data
            and health.champion_activity_value >= 30,
            false
        ) as has_no_active_champion,
        coalesce(health.payment_behaviour_value > 0, false) as has_payment_trouble,
        coalesce(health.competitor_signals_value > 0, false) as has_competitor_signals,
        coalesce(
            (health.has_crm_data or (health.has_user_data and health.has_usage_data))
            and coalesce(executive_touches.touches, 0) = 0
            and (
                not (health.has_user_data and health.has_usage_data)
                or health.executive_sponsor_activity_value >= 120
            ),
            false
        ) as has_no_executive_touch,
        coalesce(stakeholders.active_champions, 0) as active_champions,
        coalesce(stakeholders.active_executive_sponsors, 0) as active_executive_sponsors,
        coalesce(stakeholders.active_end_users, 0) as active_end_users
    from reached
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
            when counted.red_flags >= 2 then 'red'
            when counted.red_flags = 1 then 'amber'
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
