{#-
    Whether the health bands carry meaning, per build (docs/definitions.md#band-performance):
    one row per band of the seed health_bands, insufficient_data included. In a median week:
    the paying accounts in the band and their share of all paying accounts. The 90-day churn
    rate (`health_band_churn_horizon_days`) of the band's snapshots whose outcome is known, with
    the calibration's day-precise churn. Of all churned ARR, the share whose first flag (score
    below the `health_flag_band` bound, 30-90 days before the churn) was in this band, and the
    median lead days of those first flags. Measured on every account, not a sample.
-#}
with

bands as (
    select * from {{ ref('health_bands') }}
),

weeks as (
    select * from {{ ref('int_health_band_weeks_counted') }}
),

snapshots as (
    select * from {{ ref('int_account_health_scored') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

churn_events as (
    select * from {{ ref('int_health_churn_events_flagged') }}
),

flag_band as (
    select band_order as flag_band_order
    from bands
    where band = '{{ var("health_flag_band") }}'
),

median_week as (
    select
        band,
        count(*) as weeks,
        {{ median_of('accounts_in_band') }} as median_week_accounts,
        {{ median_of('1.0 * accounts_in_band / paying_accounts') }} as median_week_account_share
    from weeks
    group by band
),

snapshot_outcomes as (
    -- the calibration label: churned when the paid period containing the snapshot ends within
    -- the horizon; known when churned or when the whole horizon lies before as_of_date
    select
        snapshots.band,
        periods.period_end is not null
        and periods.period_end
        <= {{ dbt.dateadd('day', var('health_band_churn_horizon_days'), 'snapshots.snapshot_date') }}
            as is_churned,
        {{ dbt.dateadd('day', var('health_band_churn_horizon_days'), 'snapshots.snapshot_date') }}
        <= as_of.as_of_date as is_horizon_over
    from snapshots
    cross join as_of
    left join periods
        on snapshots.account_id = periods.account_id
        and snapshots.snapshot_date >= periods.period_start
        and (periods.period_end is null or snapshots.snapshot_date < periods.period_end)
),

band_outcomes as (
    select
        band,
        sum(case when is_churned or is_horizon_over then 1 else 0 end) as outcome_known_snapshots,
        sum(case when is_churned then 1 else 0 end) as churned_snapshots
    from snapshot_outcomes
    group by band
),

churned_arr_total as (
    select sum(churned_arr) as churned_arr
    from churn_events
),

first_flags as (
    select
        first_flag_band as band,
        count(*) as first_flagged_churn_events,
        sum(churned_arr) as first_flagged_churned_arr,
        {{ median_of('first_flag_lead_days') }} as median_lead_days
    from churn_events
    where is_flagged
    group by first_flag_band
),

final as (
    select
        bands.band,
        bands.band_order,
        bands.lower_score,
        bands.upper_score,
        coalesce(bands.band_order <= flag_band.flag_band_order, false) as is_flag_band,
        cast(coalesce(median_week.weeks, 0) as {{ dbt.type_bigint() }}) as weeks,
        cast(median_week.median_week_accounts as {{ double_type() }}) as median_week_accounts,
        cast(median_week.median_week_account_share as {{ double_type() }})
            as median_week_account_share,
        cast(coalesce(band_outcomes.outcome_known_snapshots, 0) as {{ dbt.type_bigint() }})
            as outcome_known_snapshots,
        cast(coalesce(band_outcomes.churned_snapshots, 0) as {{ dbt.type_bigint() }})
            as churned_snapshots,
        {{ safe_ratio('band_outcomes.churned_snapshots', 'band_outcomes.outcome_known_snapshots') }}
            as churn_rate,
        cast(coalesce(first_flags.first_flagged_churn_events, 0) as {{ dbt.type_bigint() }})
            as first_flagged_churn_events,
        cast(coalesce(first_flags.first_flagged_churned_arr, 0) as {{ arr_type() }})
            as first_flagged_churned_arr,
        {{ safe_ratio('coalesce(first_flags.first_flagged_churned_arr, 0)',
            'churned_arr_total.churned_arr') }} as first_flagged_churned_arr_share,
        cast(first_flags.median_lead_days as {{ double_type() }}) as median_lead_days
    from bands
    cross join flag_band
    cross join churned_arr_total
    left join median_week
        on bands.band = median_week.band
    left join band_outcomes
        on bands.band = band_outcomes.band
    left join first_flags
        on bands.band = first_flags.band
)

select * from final
