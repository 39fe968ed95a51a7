{#-
    Health alerts (docs/definitions.md#health-alerts): one row per alert episode. An account gets
    an alert when its band falls to at_risk or worse and holds for two consecutive snapshots, or
    at once when the score is more than `health_alert_band_margin_points` past the boundary, or
    when the score falls `health_alert_drop_points` within `health_change_short_days` (7) days
    (urgent even while healthy). Which bands raise alerts and which level outranks which come
    from the seed health_bands (`alert_rank`, `alert_urgency`); a sharp drop ranks
    `health_alert_sharp_drop_rank` on that scale.
    An account has at most one open alert: a worse level closes it as `superseded` and opens
    the new one; it closes as `recovered` when the account is back to healthy or better under
    the same hysteresis, and as `churned` when the account's ARR goes to zero. Snapshots with
    insufficient_data neither open nor close an alert. Each alert says what changed: the three
    signals that cost the score most against the snapshot `health_change_short_days` before
    (weight x score change).
-#}
{%- set signals = health_signal_names() -%}
{%- set signal_list = [] -%}
{%- for names in signals.values() -%}
    {%- for signal in names -%}{%- do signal_list.append(signal) -%}{%- endfor -%}
{%- endfor -%}
{%- set sharp_drop_points = var('health_alert_drop_points') -%}
{%- set margin_points = var('health_alert_band_margin_points') -%}
{%- set sharp_drop_rank = var('health_alert_sharp_drop_rank') -%}

with

health as (
    select * from {{ ref('fct_account_health') }}
),

bands as (
    select * from {{ ref('health_bands') }}
),

signal_weights as (
    -- the weights the score was computed with: signal weight x its category's weight
    select
        signal_name,
        composite_weight as weight
    from {{ ref('int_health_signal_weights_resolved') }}
),

scored_bands as (
    -- the bands with a score range (insufficient_data has none)
    select
        band,
        band_order,
        lower_score,
        upper_score,
        action,
        owner_role,
        response_time_hours,
        alert_rank,
        alert_urgency
    from bands
    where band_order is not null
),

band_edges as (
    -- the bands with an alert rank raise alerts (at_risk and worse as shipped); a band above
    -- all of them (healthy and better) is recovered
    select max(case when alert_rank is not null then band_order end) as alerting_edge_order
    from scored_bands
),

book_snapshots as (
    -- every snapshot date of the book, beside the one before and after it: an account missing
    -- from the next one had no ARR that day
    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_book_snapshot_date,
        lead(snapshot_date) over (order by snapshot_date) as next_book_snapshot_date
    from (select distinct snapshot_date from health) as snapshot_dates
),

history as (
    select
        health.account_id,
        health.snapshot_date,
        health.composite_score,
        health.band,
        current_band.band_order,
        health.change_7d,
        book_snapshots.previous_book_snapshot_date,
        book_snapshots.next_book_snapshot_date,
        lag(health.snapshot_date) over (partition by health.account_id order by health.snapshot_date) as previous_snapshot_date,
        lead(health.snapshot_date) over (partition by health.account_id order by health.snapshot_date) as next_snapshot_date,
        lag(current_band.band_order) over (partition by health.account_id order by health.snapshot_date) as previous_band_order
    from health
    inner join book_snapshots
        on health.snapshot_date = book_snapshots.snapshot_date
    left join scored_bands as current_band
        on health.band = current_band.band
),

with_margins as (
    -- the band the score would be in, moved the margin back up (for a fall) or down (a rise):
    -- a change that stays in the new band even so is past the boundary by more than the margin
    select
        history.*,
        band_plus_margin.band_order as band_order_plus_margin,
        band_minus_margin.band_order as band_order_minus_margin,
        history.previous_snapshot_date is not null
        and history.previous_snapshot_date = history.previous_book_snapshot_date
            as follows_previous_snapshot,
        history.next_book_snapshot_date is not null
        and (
            history.next_snapshot_date is null
            or history.next_snapshot_date <> history.next_book_snapshot_date
        ) as arr_ends_after
    from history
    left join scored_bands as band_plus_margin
        on history.composite_score + {{ margin_points }} >= band_plus_margin.lower_score
        and (
            band_plus_margin.upper_score is null
            or history.composite_score + {{ margin_points }} < band_plus_margin.upper_score
        )
    left join scored_bands as band_minus_margin
        on greatest(history.composite_score - {{ margin_points }}, 0) >= band_minus_margin.lower_score
        and (
            band_minus_margin.upper_score is null
            or greatest(history.composite_score - {{ margin_points }}, 0)
            < band_minus_margin.upper_score
        )
),

held as (
    -- both snapshots scored and consecutive, else no band change counts (a move into or out of
    -- insufficient_data, or back after a gap without ARR, is a change in the data)
    select
        with_margins.*,
        case
            when with_margins.follows_previous_snapshot
                and with_margins.band_order is not null
                and with_margins.previous_band_order is not null
                then least(
                        greatest(with_margins.band_order, with_margins.previous_band_order),
                        with_margins.band_order_plus_margin
                    )
        end as held_down_band_order,
        case
            when with_margins.follows_previous_snapshot
                and with_margins.band_order is not null
                and with_margins.previous_band_order is not null
                then greatest(
                        least(with_margins.band_order, with_margins.previous_band_order),
                        with_margins.band_order_minus_margin
                    )
        end as held_up_band_order,
        coalesce(with_margins.change_7d <= -{{ sharp_drop_points }}, false) as dropped_sharply
    from with_margins
),

triggered as (
    select
        held.*,
        held_band.band as held_down_band,
        held_band.alert_rank as held_down_alert_rank,
        held_band.alert_urgency as held_down_alert_urgency,
        -- the held band's level, unless a sharp drop outranks it (at_risk as shipped)
        case
            when held.dropped_sharply
                and coalesce(held_band.alert_rank, 0) < {{ sharp_drop_rank }}
                then 'sharp_drop'
            when held_band.alert_rank is not null then held_band.band
        end as alert_level,
        coalesce(held.held_up_band_order > band_edges.alerting_edge_order, false)
            as is_back_to_healthy,
        case
            when held_band.alert_rank is null then null
            when greatest(held.band_order, held.previous_band_order) = held.held_down_band_order
                then 'held_two_snapshots'
            else 'past_margin'
        end as band_trigger
    from held
    cross join band_edges
    left join scored_bands as held_band
        on held.held_down_band_order = held_band.band_order
),

ranked as (
    select
        triggered.*,
        -- how urgent a level is (seed health_bands.alert_rank): as shipped a sharp drop outranks
        -- at_risk, critical and churning outrank it
        case
            when triggered.alert_level = 'sharp_drop' then {{ sharp_drop_rank }}
            when triggered.alert_level is not null then triggered.held_down_alert_rank
        end as alert_rank,
        case
            when triggered.alert_level = 'sharp_drop'
                then '{{ var("health_alert_sharp_drop_urgency") }}'
            when triggered.alert_level is not null then triggered.held_down_alert_urgency
        end as alert_urgency,
        -- an alert's history ends where the account is back to healthy (with no new alert on
        -- that snapshot) or comes back after a gap without ARR
        case
            when not triggered.follows_previous_snapshot then 1
            when triggered.is_back_to_healthy and triggered.alert_level is null then 1
            else 0
        end as starts_stretch
    from triggered
),

stretches as (
    select
        ranked.*,
        sum(ranked.starts_stretch) over (
            partition by ranked.account_id
            order by ranked.snapshot_date
            rows between unbounded preceding and current row
        ) as stretch_number
    from ranked
),

stretch_rank as (
    select
        stretches.*,
        max(stretches.alert_rank) over (
            partition by stretches.account_id, stretches.stretch_number
            order by stretches.snapshot_date
            rows between unbounded preceding and 1 preceding
        ) as previous_max_rank
    from stretches
),

stretch_ends as (
    -- how each stretch ends, read on its last snapshot: no ARR at the next book snapshot
    -- (churned), or the account's next snapshot starts a stretch back to healthy (recovered),
    -- or it is the latest snapshot (still open)
    select
        account_id,
        stretch_number,
        case when arr_ends_after then next_book_snapshot_date end as churned_at,
        case when not arr_ends_after then next_snapshot_date end as recovered_at
    from (
        select
            stretch_rank.*,
            row_number() over (
                partition by stretch_rank.account_id, stretch_rank.stretch_number
                order by stretch_rank.snapshot_date desc
            ) as rank_from_last
        from stretch_rank
    ) as stretch_rows
    where rank_from_last = 1
),

openings as (
    -- an alert opens on the first trigger of a stretch, and again on each more urgent one
    select
        stretch_rank.*,
        lag(stretch_rank.alert_level) over (
            partition by stretch_rank.account_id, stretch_rank.stretch_number
            order by stretch_rank.snapshot_date
        ) as superseded_level,
        lead(stretch_rank.snapshot_date) over (
            partition by stretch_rank.account_id, stretch_rank.stretch_number
            order by stretch_rank.snapshot_date
        ) as superseded_at
    from stretch_rank
    where stretch_rank.alert_rank > coalesce(stretch_rank.previous_max_rank, 0)
),

episodes as (
    select
        openings.*,
        case
            when openings.superseded_at is not null then 'superseded'
            when stretch_ends.churned_at is not null then 'churned'
            when stretch_ends.recovered_at is not null then 'recovered'
        end as close_reason,
        coalesce(openings.superseded_at, stretch_ends.churned_at, stretch_ends.recovered_at)
            as resolved_at,
        -- the band whose action, owner and response time the alert takes: a sharp drop takes the
        -- band the account is in
        case
            when openings.alert_level = 'sharp_drop' then openings.band else openings.alert_level
        end as routing_band
    from openings
    inner join stretch_ends
        on openings.account_id = stretch_ends.account_id
        and openings.stretch_number = stretch_ends.stretch_number
),

latest_seen as (
    -- the episode's latest snapshot: before the alert that superseded it, else the stretch's last
    select
        episodes.account_id,
        episodes.snapshot_date as opened_at,
        max(stretch_rank.snapshot_date) as latest_snapshot_date
    from episodes
    inner join stretch_rank
        on episodes.account_id = stretch_rank.account_id
        and episodes.stretch_number = stretch_rank.stretch_number
        and stretch_rank.snapshot_date >= episodes.snapshot_date
        and (episodes.superseded_at is null or stretch_rank.snapshot_date < episodes.superseded_at)
    group by episodes.account_id, episodes.snapshot_date
),

paired as (
    -- each opening beside the same account's snapshot `health_change_short_days` before, read once
    select
        episodes.account_id,
        episodes.snapshot_date,
        {% for signal in signal_list -%}
            week_before.{{ signal }}_value as {{ signal }}__before,
            opened.{{ signal }}_value as {{ signal }}__after,
            opened.{{ signal }}_score - week_before.{{ signal }}_score as {{ signal }}__score_change,
        {% endfor -%}
        opened.snapshot_7_days_before
    from episodes
    inner join health as opened
        on episodes.account_id = opened.account_id
        and episodes.snapshot_date = opened.snapshot_date
    inner join health as week_before
        on opened.account_id = week_before.account_id
        and opened.snapshot_7_days_before = week_before.snapshot_date
),

signal_names as (
    {% for signal in signal_list -%}
        select '{{ signal }}' as signal_name
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

signal_changes as (
    -- one row per opening and signal; contribution = weight x change of the signal's score
    select
        paired.account_id,
        paired.snapshot_date,
        signal_names.signal_name,
        case signal_names.signal_name
            {% for signal in signal_list -%}
                when '{{ signal }}' then paired.{{ signal }}__before
            {% endfor -%}
        end as value_before,
        case signal_names.signal_name
            {% for signal in signal_list -%}
                when '{{ signal }}' then paired.{{ signal }}__after
            {% endfor -%}
        end as value_after,
        signal_weights.weight * case signal_names.signal_name
            {% for signal in signal_list -%}
                when '{{ signal }}' then paired.{{ signal }}__score_change
            {% endfor -%}
        end as contribution_points
    from paired
    cross join signal_names
    inner join signal_weights
        on signal_names.signal_name = signal_weights.signal_name
),

ranked_changes as (
    select
        signal_changes.*,
        row_number() over (
            partition by signal_changes.account_id, signal_changes.snapshot_date
            order by signal_changes.contribution_points, signal_changes.signal_name
        ) as change_rank
    from signal_changes
    where signal_changes.contribution_points < 0
),

worded_changes as (
    -- in words a CSM reads: "seat penetration down from 0.42 to 0.18 (-2.3 points)"
    select
        account_id,
        snapshot_date,
        change_rank,
        {{ dbt.concat([
            "replace(signal_name, '_', ' ')",
            "direction",
            rounded_text("value_before", 2),
            "' to '",
            rounded_text("value_after", 2),
            "' ('",
            rounded_text("contribution_points", 1),
            "' points)'",
        ]) }} as change_in_words
    from (
        select
            ranked_changes.*,
            case
                when ranked_changes.value_after < ranked_changes.value_before then ' down from '
                when ranked_changes.value_after > ranked_changes.value_before then ' up from '
                else ' from '
            end as direction
        from ranked_changes
        where ranked_changes.change_rank <= 3
    ) as top_changes
),

what_changed as (
    select
        account_id,
        snapshot_date,
        {{ dbt.listagg("change_in_words", "'; '", "order by change_rank") }} as what_changed
    from worded_changes
    group by account_id, snapshot_date
),

routed as (
    select
        episodes.*,
        latest_seen.latest_snapshot_date,
        what_changed.what_changed,
        health.arr,
        health.segment,
        health.csm_owner,
        level_band.owner_role,
        case
            when episodes.alert_level = 'sharp_drop'
                then 'Urgent review: the score fell '
                    || {{ rounded_text('-episodes.change_7d', 0) }}
                    || ' points in a week; check what changed before it costs the account'
            else level_band.action
        end as recommended_action,
        case
            when episodes.alert_level = 'sharp_drop'
                then least(
                        level_band.response_time_hours,
                        {{ var('health_alert_sharp_drop_response_hours') }}
                    )
            else level_band.response_time_hours
        end as response_time_hours
    from episodes
    inner join latest_seen
        on episodes.account_id = latest_seen.account_id
        and episodes.snapshot_date = latest_seen.opened_at
    inner join health
        on episodes.account_id = health.account_id
        and episodes.snapshot_date = health.snapshot_date
    inner join scored_bands as level_band
        on episodes.routing_band = level_band.band
    left join what_changed
        on episodes.account_id = what_changed.account_id
        and episodes.snapshot_date = what_changed.snapshot_date
),

with_latest as (
    select
        routed.*,
        latest.composite_score as latest_composite_score,
        latest.band as latest_band,
        routed.alert_urgency as urgency,
        case when routed.resolved_at is null then 'open' else 'resolved' end as status,
        case
            when routed.alert_level = 'sharp_drop' then 'sharp_drop' else routed.band_trigger
        end as alert_trigger,
        -- CSM-level work goes to the named CSM, or to the pooled queue when there is none
        case
            when routed.owner_role = 'CSM' then coalesce(routed.csm_owner, 'Pooled CS queue')
            else routed.owner_role
        end as assigned_to
    from routed
    inner join health as latest
        on routed.account_id = latest.account_id
        and routed.latest_snapshot_date = latest.snapshot_date
),

final as (
    select
        account_id,
        snapshot_date as opened_at,
        resolved_at,
        status,
        close_reason,
        alert_level,
        urgency,
        alert_trigger,
        dropped_sharply,
        superseded_level,
        band as opened_band,
        composite_score as opened_composite_score,
        change_7d,
        what_changed,
        latest_snapshot_date,
        latest_band,
        latest_composite_score,
        arr,
        segment,
        recommended_action,
        owner_role,
        assigned_to,
        response_time_hours
    from with_latest
)

select * from final
