{#-
    Health alerts (docs/definitions.md#health-alerts): an account that crosses a band boundary, or
    whose score drops 15 points or more within 7 days (urgent even while it is still healthy).
    Each alert says what changed (the signals that lost most since the week before), what to do,
    who owns it and how fast. Snapshots with insufficient_data raise none.
-#}
{%- set signals = health_signal_names() -%}
{%- set signal_list = [] -%}
{%- for names in signals.values() -%}
    {%- for signal in names -%}{%- do signal_list.append(signal) -%}{%- endfor -%}
{%- endfor -%}
{%- set sharp_drop_points = var('health_alert_drop_points') -%}

with

health as (
    select * from {{ ref('fct_account_health') }}
),

bands as (
    select * from {{ ref('health_bands') }}
),

triggered as (
    select
        health.*,
        current_band.band_order < previous_band.band_order as crossed_band_down,
        current_band.band_order > previous_band.band_order as crossed_band_up,
        coalesce(health.change_7d <= -{{ sharp_drop_points }}, false) as dropped_sharply
    from health
    inner join bands as current_band
        on health.band = current_band.band
    left join bands as previous_band
        on health.previous_band = previous_band.band
    -- both snapshots scored: a move into or out of insufficient_data is a change in the data,
    -- not in the customer (docs/definitions.md#health-coverage)
    where current_band.band_order is not null
        and previous_band.band_order is not null
),

alerts as (
    select * from triggered
    where crossed_band_down or crossed_band_up or dropped_sharply
),

paired as (
    -- each alert beside the same account's snapshot 7 days before, read once
    select
        alerts.account_id,
        alerts.snapshot_date,
        {% for signal in signal_list -%}
            alerts.{{ signal }}_score - week_before.{{ signal }}_score as {{ signal }}_change,
        {% endfor -%}
        alerts.snapshot_7_days_before
    from alerts
    inner join health as week_before
        on alerts.account_id = week_before.account_id
        and alerts.snapshot_7_days_before = week_before.snapshot_date
),

signal_names as (
    {% for signal in signal_list -%}
        select '{{ signal }}' as signal_name
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

signal_changes as (
    -- one row per alert and signal (a join per signal would scan the history 21 times)
    select
        paired.account_id,
        paired.snapshot_date,
        signal_names.signal_name,
        case signal_names.signal_name
            {% for signal in signal_list -%}
                when '{{ signal }}' then paired.{{ signal }}_change
            {% endfor -%}
        end as score_change
    from paired
    cross join signal_names
),

ranked_changes as (
    select
        *,
        row_number() over (
            partition by account_id, snapshot_date
            order by score_change, signal_name
        ) as change_rank
    from signal_changes
    where score_change < 0
),

degraded as (
    select
        account_id,
        snapshot_date,
        {{ dbt.listagg(
            dbt.concat(["signal_name", "' '", "cast(cast(round(score_change, 0) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")"]),
            "', '",
            "order by change_rank") }} as degraded_signals
    from ranked_changes
    where change_rank <= 3
    group by account_id, snapshot_date
),

classified as (
    select
        alerts.*,
        case
            when alerts.dropped_sharply then 'sharp_drop'
            when alerts.crossed_band_down then 'band_down'
            else 'band_up'
        end as alert_type,
        case
            when alerts.dropped_sharply or alerts.band in ('critical', 'churning') then 'urgent'
            when alerts.crossed_band_down then 'high'
            else 'normal'
        end as urgency
    from alerts
),

routed as (
    select
        classified.*,
        degraded.degraded_signals,
        bands.owner_role,
        case
            when classified.dropped_sharply and classified.band in ('thriving', 'healthy')
                then 'Urgent review: the score fell sharply in a week while still '
                    || classified.band
                    || '; check the degraded signals before they cost the account'
            else bands.action
        end as recommended_action,
        -- CSM-level work goes to the named CSM, or to the pooled queue when there is none
        case
            when bands.owner_role = 'CSM' then coalesce(classified.csm_owner, 'Pooled CS queue')
            else bands.owner_role
        end as assigned_to,
        case
            when classified.dropped_sharply then least(bands.response_time_hours, 24)
            else bands.response_time_hours
        end as response_time_hours
    from classified
    inner join bands
        on classified.band = bands.band
    left join degraded
        on classified.account_id = degraded.account_id
        and classified.snapshot_date = degraded.snapshot_date
),

final as (
    select
        account_id,
        snapshot_date,
        alert_type,
        urgency,
        previous_band,
        band,
        previous_composite_score,
        composite_score,
        change_7d,
        arr,
        segment,
        degraded_signals,
        recommended_action,
        owner_role,
        assigned_to,
        response_time_hours
    from routed
)

select * from final
