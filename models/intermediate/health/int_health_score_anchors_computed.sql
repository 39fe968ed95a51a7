{#-
    The anchors of the health score (docs/definitions.md#health-score-anchoring): for each
    snapshot date, each segment and the whole book, the weighted composite below which each
    band's share of the retained history lies (seed health_bands, `anchor_retained_quantile`).
    The retained history of a snapshot date D is every scored snapshot of the lookback
    (`health_anchor_lookback_days`) whose account was still paying `health_band_churn_horizon_days`
    later, with that horizon passed before D: anchors for D use nothing dated D or later.
    Quantiles come from a histogram of whole points, interpolated within the point, so the cost
    grows with dates x segments x 101 bins rather than with accounts.
-#}
with

weighted as (
    select * from {{ ref('int_account_health_weighted') }}
),

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
),

snapshot_dates as (
    select * from {{ ref('int_health_snapshot_dates_spined') }}
),

anchored_bands as (
    select * from {{ ref('health_bands') }}
    where anchor_retained_quantile is not null
),

retained_snapshots as (
    -- scored snapshots of accounts whose paid period ran on past the horizon
    select
        weighted.snapshot_date,
        weighted.segment,
        floor(weighted.weighted_score) as score_bin
    from weighted
    inner join periods
        on weighted.account_id = periods.account_id
        and weighted.snapshot_date >= periods.period_start
        and (periods.period_end is null or weighted.snapshot_date < periods.period_end)
    where
        weighted.weighted_score is not null
        and (
            periods.period_end is null
            or periods.period_end
            > {{ dbt.dateadd('day', var('health_band_churn_horizon_days'), 'weighted.snapshot_date') }}
        )
),

retained_bins as (
    select
        snapshot_date,
        segment,
        score_bin,
        count(*) as snapshots
    from retained_snapshots
    group by snapshot_date, segment, score_bin
),

segment_bins as (
    -- a snapshot's label is known once its horizon has passed, strictly before the anchor date
    select
        snapshot_dates.snapshot_date as anchor_date,
        retained_bins.segment as anchor_scope,
        retained_bins.score_bin,
        sum(retained_bins.snapshots) as snapshots
    from snapshot_dates
    inner join retained_bins
        on retained_bins.snapshot_date
        < {{ dbt.dateadd('day', -var('health_band_churn_horizon_days'), 'snapshot_dates.snapshot_date') }}
        and retained_bins.snapshot_date
        >= {{ dbt.dateadd(
            'day',
            -(var('health_band_churn_horizon_days') + var('health_anchor_lookback_days')),
            'snapshot_dates.snapshot_date') }}
    group by snapshot_dates.snapshot_date, retained_bins.segment, retained_bins.score_bin
),

scoped_bins as (
    select
        anchor_date,
        anchor_scope,
        score_bin,
        snapshots
    from segment_bins
    union all
    select
        anchor_date,
        'book' as anchor_scope,
        score_bin,
        sum(snapshots) as snapshots
    from segment_bins
    group by anchor_date, score_bin
),

cumulated_bins as (
    select
        anchor_date,
        anchor_scope,
        score_bin,
        snapshots,
        sum(snapshots) over (
            partition by anchor_date, anchor_scope
            order by score_bin
            rows between unbounded preceding and current row
        ) as snapshots_to_bin,
        sum(snapshots) over (partition by anchor_date, anchor_scope) as retained_snapshots
    from scoped_bins
),

knot_bins as (
    -- the first bin whose cumulative count reaches the band's share of the retained history
    select
        cumulated_bins.anchor_date,
        cumulated_bins.anchor_scope,
        anchored_bands.lower_score,
        anchored_bands.anchor_retained_quantile,
        min(cumulated_bins.score_bin) as score_bin
    from cumulated_bins
    cross join anchored_bands
    where
        cumulated_bins.snapshots_to_bin
        >= anchored_bands.anchor_retained_quantile * cumulated_bins.retained_snapshots
    group by
        cumulated_bins.anchor_date,
        cumulated_bins.anchor_scope,
        anchored_bands.lower_score,
        anchored_bands.anchor_retained_quantile
),

final as (
    select
        knot_bins.anchor_date,
        knot_bins.anchor_scope,
        knot_bins.lower_score,
        knot_bins.anchor_retained_quantile,
        cumulated_bins.retained_snapshots,
        -- linear within the bin: the bin's snapshots are spread evenly over its point
        cast(
            case
                when
                    knot_bins.score_bin
                    + (
                        knot_bins.anchor_retained_quantile * cumulated_bins.retained_snapshots
                        - (cumulated_bins.snapshots_to_bin - cumulated_bins.snapshots)
                    ) / cumulated_bins.snapshots
                    > 100
                    then 100
                else
                    knot_bins.score_bin
                    + (
                        knot_bins.anchor_retained_quantile * cumulated_bins.retained_snapshots
                        - (cumulated_bins.snapshots_to_bin - cumulated_bins.snapshots)
                    ) / cumulated_bins.snapshots
            end as {{ double_type() }}
        ) as weighted_score_at_lower_score
    from knot_bins
    inner join cumulated_bins
        on knot_bins.anchor_date = cumulated_bins.anchor_date
        and knot_bins.anchor_scope = cumulated_bins.anchor_scope
        and knot_bins.score_bin = cumulated_bins.score_bin
)

select * from final
