{#-
    Health history: one row per customer account per snapshot (every Monday and as_of_date),
    with composite, category and signal scores, the band and how the score moved
    (docs/definitions.md#health-scores). Every score is point-in-time: a snapshot dated D was
    computed only from data dated before D, so the history can be backtested. A snapshot with
    too little data (docs/definitions.md#health-coverage) has band `insufficient_data` and no
    composite, so it has no change either.
-#}
{%- set signals = health_signal_names() -%}
{#- change_7d / change_30d look this far back (the names keep the shipped lengths) -#}
{%- set short_days = var('health_change_short_days') -%}
{%- set long_days = var('health_change_long_days') -%}

with

scored as (
    select * from {{ ref('int_account_health_scored') }}
),

snapshot_dates as (
    select * from {{ ref('int_health_snapshot_dates_spined') }}
),

lookbacks as (
    -- for each snapshot, the latest snapshot at least `health_change_short_days` (7) and at
    -- least `health_change_long_days` (30) days earlier
    select
        snapshot_dates.snapshot_date,
        max(case
            when earlier.snapshot_date <= {{ dbt.dateadd('day', -short_days, 'snapshot_dates.snapshot_date') }}
                then earlier.snapshot_date
        end) as snapshot_7_days_before,
        max(case
            when earlier.snapshot_date <= {{ dbt.dateadd('day', -long_days, 'snapshot_dates.snapshot_date') }}
                then earlier.snapshot_date
        end) as snapshot_30_days_before
    from snapshot_dates
    inner join snapshot_dates as earlier
        on snapshot_dates.snapshot_date > earlier.snapshot_date
    group by snapshot_dates.snapshot_date
),

score_history as (
    -- the narrow history the changes are read from: window and joins over every score column
    -- of every snapshot would carry ~50 columns through each step
    select
        account_id,
        snapshot_date,
        composite_score,
        band
    from scored
),

{#- inlined in each call, not a named `window` clause: Snowflake and Redshift have none -#}
{%- set account_history = 'partition by score_history.account_id order by score_history.snapshot_date' %}

with_previous as (
    select
        score_history.account_id,
        score_history.snapshot_date,
        lag(score_history.snapshot_date) over ({{ account_history }}) as previous_snapshot_date,
        lag(score_history.composite_score) over ({{ account_history }}) as previous_composite_score,
        lag(score_history.band) over ({{ account_history }}) as previous_band
    from score_history
),

changes as (
    select
        with_previous.account_id,
        with_previous.snapshot_date,
        with_previous.previous_snapshot_date,
        with_previous.previous_composite_score,
        with_previous.previous_band,
        lookbacks.snapshot_7_days_before,
        week_before.composite_score as composite_score_7d_before,
        month_before.composite_score as composite_score_30d_before
    from with_previous
    left join lookbacks
        on with_previous.snapshot_date = lookbacks.snapshot_date
    left join score_history as week_before
        on with_previous.account_id = week_before.account_id
        and lookbacks.snapshot_7_days_before = week_before.snapshot_date
    left join score_history as month_before
        on with_previous.account_id = month_before.account_id
        and lookbacks.snapshot_30_days_before = month_before.snapshot_date
),

final as (
    select
        scored.account_id,
        scored.snapshot_date,
        scored.is_as_of_date,
        scored.segment,
        scored.csm_owner,
        scored.arr,
        scored.composite_score,
        scored.weighted_score,
        scored.anchor_scope,
        scored.band,
        scored.signal_coverage,
        {%- for input_name in health_input_names() %}
            scored.has_{{ input_name }}_data,
        {%- endfor %}
        {%- for category in signals %}
            scored.{{ category }}_score,
        {%- endfor %}
        {%- for names in signals.values() %}
            {%- for signal in names %}
                scored.{{ signal }}_value,
                scored.{{ signal }}_score,
            {%- endfor %}
        {%- endfor %}
        changes.previous_snapshot_date,
        changes.previous_composite_score,
        changes.previous_band,
        changes.snapshot_7_days_before,
        scored.composite_score - changes.previous_composite_score as change_since_previous,
        scored.composite_score - changes.composite_score_7d_before as change_7d,
        scored.composite_score - changes.composite_score_30d_before as change_30d
    from scored
    inner join changes
        on scored.account_id = changes.account_id
        and scored.snapshot_date = changes.snapshot_date
)

select * from final
