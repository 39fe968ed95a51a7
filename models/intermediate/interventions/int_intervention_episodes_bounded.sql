{#-
    Intervention episodes before their escalation and outcome (docs/definitions.md#interventions):
    one row per account episode, opened at the first snapshot of a stretch that enters a level
    (int_intervention_snapshots_stretched), with what the account was then, and bounded: closed
    at the recovery that ends the stretch, at the end of the paid period (churned), or at the
    end of its `intervention_outcome_days` window (expired), whichever comes first by as_of_date.

    A model of its own, not CTEs of fct_intervention_episodes, for the reason given in
    int_intervention_snapshots_stretched (Spark inlines every CTE where it is read).
-#}
with

stretched as (
    select * from {{ ref('int_intervention_snapshots_stretched') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

reference_time as (
    select as_of_date
    from as_of
),

openings as (
    select
        account_id,
        period_number,
        stretch_number,
        min(snapshot_date) as opened_at
    from stretched
    where not is_recovered
        and entry_level_order is not null
    group by account_id, period_number, stretch_number
),

opened as (
    select
        openings.*,
        stretched.entry_level_order as opening_level_order,
        stretched.composite_score as opened_score,
        stretched.trend_base_score as opened_trend_base_score,
        stretched.band as opened_band,
        stretched.red_renewal_date as opened_red_renewal_date,
        stretched.arm
    from openings
    inner join stretched
        on openings.account_id = stretched.account_id
        and openings.opened_at = stretched.snapshot_date
),

recoveries as (
    -- the recovery (healthy, held) that ends the stretch
    select
        opened.account_id,
        opened.opened_at,
        min(stretched.snapshot_date) as recovered_at
    from opened
    inner join stretched
        on opened.account_id = stretched.account_id
        and coalesce(opened.period_number, -1) = coalesce(stretched.period_number, -1)
        and stretched.stretch_number = opened.stretch_number + 1
        and stretched.is_recovered
    group by opened.account_id, opened.opened_at
),

churns as (
    select
        opened.account_id,
        opened.opened_at,
        periods.period_end as churned_at
    from opened
    cross join reference_time
    inner join periods
        on opened.account_id = periods.account_id
        and opened.period_number = periods.period_number
        and periods.period_end <= reference_time.as_of_date
),

windows as (
    select
        account_id,
        opened_at,
        cast({{ dbt.dateadd('day', var('intervention_outcome_days'), 'opened_at') }} as date)
            as window_ends_on
    from openings
),

bounded as (
    -- an episode lasts at most its outcome window: not recovered and not churned by then, it
    -- closes as expired (the playbook had its 90 days; the account stays in health alerts)
    select
        opened.*,
        recoveries.recovered_at,
        churns.churned_at,
        case
            when recoveries.recovered_at <= windows.window_ends_on then recoveries.recovered_at
            when churns.churned_at <= windows.window_ends_on then churns.churned_at
            when windows.window_ends_on <= reference_time.as_of_date then windows.window_ends_on
        end as closed_at,
        case
            when recoveries.recovered_at <= windows.window_ends_on then 'recovered'
            when churns.churned_at <= windows.window_ends_on then 'churned'
            when windows.window_ends_on <= reference_time.as_of_date then 'expired'
        end as close_reason
    from opened
    cross join reference_time
    inner join windows
        on opened.account_id = windows.account_id
        and opened.opened_at = windows.opened_at
    left join recoveries
        on opened.account_id = recoveries.account_id
        and opened.opened_at = recoveries.opened_at
    left join churns
        on opened.account_id = churns.account_id
        and opened.opened_at = churns.opened_at
),

final as (
    select
        bounded.account_id,
        bounded.period_number,
        bounded.stretch_number,
        bounded.opened_at,
        bounded.opening_level_order,
        bounded.opened_score,
        bounded.opened_trend_base_score,
        bounded.opened_band,
        bounded.opened_red_renewal_date,
        bounded.arm,
        bounded.recovered_at,
        bounded.churned_at,
        bounded.closed_at,
        bounded.close_reason
    from bounded
)

select * from final
