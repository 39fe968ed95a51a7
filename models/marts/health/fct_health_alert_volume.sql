{#-
    Alert volume per week (docs/definitions.md#health-alerts): the paying accounts, the alerts
    opened (new and superseding), the alerts open at the week's last snapshot, and the new alerts
    as a share of paying accounts beside the target `health_alert_weekly_share_target` (a list a
    CS team can work: at most 5% a week).
-#}
with

health as (
    select * from {{ ref('fct_account_health') }}
),

alerts as (
    select * from {{ ref('fct_health_alerts') }}
),

weekly_accounts as (
    -- every account with ARR on a snapshot of the week (Monday and, in its week, as_of_date)
    select
        {{ dbt.date_trunc('week', 'snapshot_date') }} as week_start,
        max(snapshot_date) as last_snapshot_date,
        count(distinct account_id) as paying_accounts
    from health
    group by {{ dbt.date_trunc('week', 'snapshot_date') }}
),

weekly_openings as (
    select
        {{ dbt.date_trunc('week', 'opened_at') }} as week_start,
        count(*) as opened_alerts,
        count(case when superseded_level is null then 1 end) as new_alerts,
        count(case when superseded_level is not null then 1 end) as escalated_alerts,
        count(case when urgency = 'urgent' then 1 end) as urgent_alerts
    from alerts
    group by {{ dbt.date_trunc('week', 'opened_at') }}
),

open_at_week_end as (
    select
        weekly_accounts.week_start,
        count(alerts.account_id) as open_alerts
    from weekly_accounts
    inner join alerts
        on alerts.opened_at <= weekly_accounts.last_snapshot_date
        and (alerts.resolved_at is null or alerts.resolved_at > weekly_accounts.last_snapshot_date)
    group by weekly_accounts.week_start
),

final as (
    select
        cast(weekly_accounts.week_start as date) as week_start,
        weekly_accounts.last_snapshot_date,
        weekly_accounts.paying_accounts,
        coalesce(weekly_openings.opened_alerts, 0) as opened_alerts,
        coalesce(weekly_openings.new_alerts, 0) as new_alerts,
        coalesce(weekly_openings.escalated_alerts, 0) as escalated_alerts,
        coalesce(weekly_openings.urgent_alerts, 0) as urgent_alerts,
        coalesce(open_at_week_end.open_alerts, 0) as open_alerts,
        {{ round_half(
            'cast(coalesce(weekly_openings.opened_alerts, 0) as ' ~ double_type() ~ ')
            / weekly_accounts.paying_accounts',
            4
        ) }} as opened_share,
        cast({{ var('health_alert_weekly_share_target') }} as {{ double_type() }}) as target_share,
        coalesce(weekly_openings.opened_alerts, 0)
        <= {{ var('health_alert_weekly_share_target') }} * weekly_accounts.paying_accounts
            as is_within_target
    from weekly_accounts
    left join weekly_openings
        on weekly_accounts.week_start = weekly_openings.week_start
    left join open_at_week_end
        on weekly_accounts.week_start = open_at_week_end.week_start
)

select * from final
