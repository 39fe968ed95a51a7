{#-
    Health history: one row per customer account per snapshot (every Monday and as_of_date),
    with composite, category and signal scores, the band and how the score moved
    (docs/definitions.md#health-scores). Every score is point-in-time: a snapshot dated D was
    computed only from data dated before D, so the history can be backtested.
-#}
with

scored as (
    select * from {{ ref('int_account_health_scored') }}
),

snapshot_dates as (
    select * from {{ ref('int_health_snapshot_dates_spined') }}
),

lookbacks as (
    -- for each snapshot, the latest snapshot at least 7 and at least 30 days earlier
    select
        snapshot_dates.snapshot_date,
        max(case
            when earlier.snapshot_date <= {{ dbt.dateadd('day', -7, 'snapshot_dates.snapshot_date') }}
                then earlier.snapshot_date
        end) as snapshot_7_days_before,
        max(case
            when earlier.snapshot_date <= {{ dbt.dateadd('day', -30, 'snapshot_dates.snapshot_date') }}
                then earlier.snapshot_date
        end) as snapshot_30_days_before
    from snapshot_dates
    inner join snapshot_dates as earlier
        on snapshot_dates.snapshot_date > earlier.snapshot_date
    group by snapshot_dates.snapshot_date
),

with_previous as (
    select
        scored.*,
        lag(scored.snapshot_date) over account_history as previous_snapshot_date,
        lag(scored.composite_score) over account_history as previous_composite_score,
        lag(scored.band) over account_history as previous_band
    from scored
    window account_history as (partition by scored.account_id order by scored.snapshot_date)
),

final as (
    select
        with_previous.*,
        lookbacks.snapshot_7_days_before,
        with_previous.composite_score - with_previous.previous_composite_score
            as change_since_previous,
        with_previous.composite_score - week_before.composite_score as change_7d,
        with_previous.composite_score - month_before.composite_score as change_30d
    from with_previous
    left join lookbacks
        on with_previous.snapshot_date = lookbacks.snapshot_date
    left join scored as week_before
        on with_previous.account_id = week_before.account_id
        and lookbacks.snapshot_7_days_before = week_before.snapshot_date
    left join scored as month_before
        on with_previous.account_id = month_before.account_id
        and lookbacks.snapshot_30_days_before = month_before.snapshot_date
)

select * from final
