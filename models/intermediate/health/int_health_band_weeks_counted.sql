{#-
    Paying accounts per band at each weekly health snapshot (the Mondays of the snapshot spine;
    the extra as_of_date row is left out unless it is a Monday), for the median week of
    docs/definitions.md#band-performance. Every band of the seed health_bands has a row on every
    week, zero when no account was in it; weeks without a paying account are not weeks of the
    book and are left out.
-#}
with

snapshot_dates as (
    select * from {{ ref('int_health_snapshot_dates_spined') }}
),

snapshots as (
    select * from {{ ref('int_account_health_scored') }}
),

bands as (
    select * from {{ ref('health_bands') }}
),

weeks as (
    -- 1970-01-05 was a Monday, as in int_health_snapshot_dates_spined
    select snapshot_date
    from snapshot_dates
    where mod({{ dbt.datediff("cast('1970-01-05' as date)", 'snapshot_date', 'day') }}, 7) = 0
),

band_counts as (
    select
        snapshots.snapshot_date,
        snapshots.band,
        count(*) as accounts_in_band
    from snapshots
    inner join weeks
        on snapshots.snapshot_date = weeks.snapshot_date
    group by snapshots.snapshot_date, snapshots.band
),

week_totals as (
    select
        snapshot_date,
        sum(accounts_in_band) as paying_accounts
    from band_counts
    group by snapshot_date
),

final as (
    select
        week_totals.snapshot_date,
        bands.band,
        week_totals.paying_accounts,
        coalesce(band_counts.accounts_in_band, 0) as accounts_in_band
    from week_totals
    cross join bands
    left join band_counts
        on week_totals.snapshot_date = band_counts.snapshot_date
        and bands.band = band_counts.band
)

select * from final
