{#-
    Every churn event (the end of a paid period before as_of_date, day-precise, as the
    calibration label: int_account_paid_periods_islanded) with the ARR it lost and its first
    flag (docs/definitions.md#band-performance): the earliest snapshot of the same paid period
    dated `health_flag_min_lead_days` to `health_flag_max_lead_days` days before the churn whose
    composite was below the upper bound of the band `health_flag_band` (seed health_bands: at
    risk or worse, below 70). A snapshot without a composite (insufficient_data) is never a flag.
-#}
with

periods as (
    select * from {{ ref('int_account_paid_periods_islanded') }}
    where period_end is not null
),

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
    where arr_usd > 0
),

snapshots as (
    select * from {{ ref('int_account_health_scored') }}
),

bands as (
    select * from {{ ref('health_bands') }}
),

flag_threshold as (
    select upper_score as flag_below_score
    from bands
    where band = '{{ var("health_flag_band") }}'
),

churned_arr as (
    -- the ARR lost at churn: the account's paid ARR on the day before the churn date
    select
        periods.account_id,
        periods.period_end,
        {{ round_to_cents('sum(line_items.arr_usd)') }} as churned_arr
    from periods
    inner join line_items
        on periods.account_id = line_items.account_id
        and line_items.start_date <= {{ dbt.dateadd('day', -1, 'periods.period_end') }}
        and (
            line_items.end_date is null
            or line_items.end_date > {{ dbt.dateadd('day', -1, 'periods.period_end') }}
        )
    group by periods.account_id, periods.period_end
),

window_snapshots as (
    -- the period's snapshots inside the lead window, flagged or not
    select
        periods.account_id,
        periods.period_end,
        snapshots.snapshot_date,
        snapshots.composite_score,
        snapshots.band,
        {{ dbt.datediff('snapshots.snapshot_date', 'periods.period_end', 'day') }} as lead_days,
        coalesce(snapshots.composite_score < flag_threshold.flag_below_score, false) as is_flag
    from periods
    inner join snapshots
        on periods.account_id = snapshots.account_id
        and snapshots.snapshot_date >= periods.period_start
        and snapshots.snapshot_date < periods.period_end
    cross join flag_threshold
    where {{ dbt.datediff('snapshots.snapshot_date', 'periods.period_end', 'day') }}
        between {{ var('health_flag_min_lead_days') }} and {{ var('health_flag_max_lead_days') }}
),

ranked_flags as (
    select
        account_id,
        period_end,
        snapshot_date,
        composite_score,
        band,
        lead_days,
        row_number() over (
            partition by account_id, period_end order by snapshot_date
        ) as flag_rank
    from window_snapshots
    where is_flag
),

window_counts as (
    select
        account_id,
        period_end,
        count(*) as window_snapshots
    from window_snapshots
    group by account_id, period_end
),

final as (
    select
        periods.account_id,
        periods.period_start,
        periods.period_end as churn_date,
        churned_arr.churned_arr,
        ranked_flags.snapshot_date as first_flag_date,
        ranked_flags.composite_score as first_flag_score,
        ranked_flags.band as first_flag_band,
        ranked_flags.lead_days as first_flag_lead_days,
        coalesce(window_counts.window_snapshots, 0) as window_snapshots,
        ranked_flags.snapshot_date is not null as is_flagged
    from periods
    left join churned_arr
        on periods.account_id = churned_arr.account_id
        and periods.period_end = churned_arr.period_end
    left join window_counts
        on periods.account_id = window_counts.account_id
        and periods.period_end = window_counts.period_end
    left join ranked_flags
        on periods.account_id = ranked_flags.account_id
        and periods.period_end = ranked_flags.period_end
        and ranked_flags.flag_rank = 1
)

select * from final
