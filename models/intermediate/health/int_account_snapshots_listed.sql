{#-
    The accounts scored at each health snapshot: customers with ARR > 0 on the snapshot day
    (line items with start_date <= D < end_date), with their ARR and owner.
-#}
{{ config(
    materialized='incremental',
    post_hook="{{ delete_snapshots_not_in(ref('int_health_snapshot_dates_spined')) }}",
    **incremental_by_day_config(unique_key='snapshot_date', day_column='snapshot_date'),
) }}

with

snapshots as (
    select * from {{ ref('int_health_snapshot_dates_spined') }}
    {{ incremental_snapshot_filter() }}
),

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

snapshot_arr as (
    select
        line_items.account_id,
        snapshots.snapshot_date,
        snapshots.is_as_of_date,
        {{ round_to_cents('sum(line_items.arr_usd)') }} as arr
    from snapshots
    inner join line_items
        on snapshots.snapshot_date >= line_items.start_date
        and (line_items.end_date is null or snapshots.snapshot_date < line_items.end_date)
    group by line_items.account_id, snapshots.snapshot_date, snapshots.is_as_of_date
),

final as (
    select
        snapshot_arr.account_id,
        snapshot_arr.snapshot_date,
        snapshot_arr.is_as_of_date,
        snapshot_arr.arr,
        accounts.segment,
        accounts.csm_owner
    from snapshot_arr
    inner join accounts
        on snapshot_arr.account_id = accounts.account_id
    where snapshot_arr.arr > 0
)

select * from final
