{#-
    Support and sentiment signals per account and snapshot (docs/definitions.md#health-signals):
    ticket tone and frequency, NPS level and change, community participation and review tone.
    Signals without data (no ticket, no NPS answer, no rating) are missing, not zero.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='snapshot_date',
    post_hook="{{ delete_snapshots_not_in(ref('int_account_snapshots_listed')) }}",
) }}

with

snapshots as (
    select * from {{ ref('int_account_snapshots_listed') }}
    {{ incremental_snapshot_filter() }}
),

tickets as (
    select * from {{ ref('int_support_tickets_toned') }}
),

nps as (
    select * from {{ ref('stg_raw__nps_responses') }}
),

community as (
    select * from {{ ref('stg_raw__community_activity') }}
),

feedback as (
    select * from {{ ref('stg_raw__feedback_items') }}
),

ticket_windows as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        avg(case
            when {{ in_days_before('tickets.created_at', 'snapshots.snapshot_date', 90) }}
                then tickets.tone
        end) as ticket_tone,
        count(case
            when {{ in_days_before('tickets.created_at', 'snapshots.snapshot_date', 30) }}
                then 1
        end) as recent_tickets,
        count(case
            when {{ in_days_before('tickets.created_at', 'snapshots.snapshot_date', 90, 30) }}
                then 1
        end) as earlier_tickets
    from snapshots
    inner join tickets
        on snapshots.account_id = tickets.account_id
        and {{ in_days_before('tickets.created_at', 'snapshots.snapshot_date', 120) }}
    group by snapshots.account_id, snapshots.snapshot_date
),

nps_ranked as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        nps.score,
        row_number() over (
            partition by snapshots.account_id, snapshots.snapshot_date
            order by nps.responded_at desc, nps.response_id desc
        ) as recency_rank
    from snapshots
    inner join nps
        on snapshots.account_id = nps.account_id
        and {{ in_days_before('nps.responded_at', 'snapshots.snapshot_date', 365) }}
),

nps_latest as (
    select
        account_id,
        snapshot_date,
        max(case when recency_rank = 1 then score end) as latest_score,
        max(case when recency_rank = 2 then score end) as previous_score
    from nps_ranked
    where recency_rank <= 2
    group by account_id, snapshot_date
),

community_windows as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(*) as activities
    from snapshots
    inner join community
        on snapshots.account_id = community.account_id
        and {{ in_days_before('community.occurred_at', 'snapshots.snapshot_date', 90) }}
    group by snapshots.account_id, snapshots.snapshot_date
),

ratings as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        avg(1.0 * feedback.rating) as mean_rating
    from snapshots
    inner join feedback
        on snapshots.account_id = feedback.account_id
        and feedback.rating is not null
        and {{ in_days_before('feedback.created_at', 'snapshots.snapshot_date', 365) }}
    group by snapshots.account_id, snapshots.snapshot_date
),

measured as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        ticket_windows.ticket_tone,
        ratings.mean_rating as review_tone,
        (1.0 + coalesce(ticket_windows.recent_tickets, 0))
        / (1.0 + coalesce(ticket_windows.earlier_tickets, 0) / 3.0) as ticket_frequency_trend,
        1.0 * nps_latest.latest_score as nps_latest,
        1.0 * nps_latest.latest_score - nps_latest.previous_score as nps_change,
        1.0 * coalesce(community_windows.activities, 0) as community_participation
    from snapshots
    left join ticket_windows
        on snapshots.account_id = ticket_windows.account_id
        and snapshots.snapshot_date = ticket_windows.snapshot_date
    left join nps_latest
        on snapshots.account_id = nps_latest.account_id
        and snapshots.snapshot_date = nps_latest.snapshot_date
    left join community_windows
        on snapshots.account_id = community_windows.account_id
        and snapshots.snapshot_date = community_windows.snapshot_date
    left join ratings
        on snapshots.account_id = ratings.account_id
        and snapshots.snapshot_date = ratings.snapshot_date
),

final as (
    -- every signal as a double, whatever arithmetic produced it
    select
        account_id,
        snapshot_date,
    {%- for signal in health_signal_names()['sentiment'] %}
        cast({{ signal }} as {{ double_type() }}) as {{ signal }}{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from measured
)

select * from final
