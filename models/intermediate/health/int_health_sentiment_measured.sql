{#-
    Support and sentiment signals per account and snapshot (docs/definitions.md#health-signals):
    ticket tone and frequency, NPS level and change, community participation and review tone.
    Ticket and review tone are the mean tone score the feedback classifier gave the texts in the
    window (int_health_texts_toned, docs/definitions.md#health-text-tone); ticket frequency
    counts every ticket, with a text or without.
    Signals without data (no ticket, no NPS answer, no review) are missing, not zero. Each
    signal joins its dated rows to int_health_snapshot_windows_listed on the day, not by a range
    join into every account's history (docs/definitions.md#health-snapshots). The windows are
    rows of seeds/health_signal_windows.csv, read at run time.
-#}
{{ config(
    materialized='incremental',
    post_hook="{{ delete_snapshots_not_in(ref('int_account_snapshots_listed')) }}",
    **incremental_by_day_config(unique_key='snapshot_date', day_column='snapshot_date'),
) }}

with

snapshots as (
    select * from {{ ref('int_account_snapshots_listed') }}
    {{ incremental_snapshot_filter() }}
),

windows as (
    -- only the snapshots this run computes, so the daily data joins to those windows only
    select * from {{ ref('int_health_snapshot_windows_listed') }}
    {{ incremental_snapshot_filter() }}
),

signal_windows as (
    select * from {{ ref('health_signal_windows') }}
),

tickets as (
    select * from {{ ref('stg_raw__support_tickets') }}
),

toned_texts as (
    select * from {{ ref('int_health_texts_toned') }}
),

nps as (
    select * from {{ ref('stg_raw__nps_responses') }}
),

community as (
    select * from {{ ref('stg_raw__community_activity') }}
),

window_lengths as (
    -- this model's windows of the seed, as one row
    select {{ signal_window_columns([
        'ticket_tone', 'ticket_frequency_recent', 'ticket_frequency_baseline', 'nps',
        'community', 'reviews'
    ]) }}
    from signal_windows
),

ticket_days as (
    -- the days of the ticket windows before each snapshot, with the windows each is in
    select
        windows.snapshot_date,
        windows.window_day,
        {{ in_signal_window('ticket_tone') }} as is_tone_day,
        {{ in_signal_window('ticket_frequency_recent') }} as is_recent_day,
        {{ in_signal_window('ticket_frequency_baseline') }} as is_baseline_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('ticket_tone') }}
        or {{ in_signal_window('ticket_frequency_recent') }}
        or {{ in_signal_window('ticket_frequency_baseline') }}
),

nps_days as (
    select
        windows.snapshot_date,
        windows.window_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('nps') }}
),

community_days as (
    select
        windows.snapshot_date,
        windows.window_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('community') }}
),

review_days as (
    select
        windows.snapshot_date,
        windows.window_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('reviews') }}
),

ticket_windows as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(case when ticket_days.is_recent_day then 1 end) as recent_tickets,
        count(case when ticket_days.is_baseline_day then 1 end) as earlier_tickets
    from tickets
    inner join ticket_days
        on cast(tickets.created_at as date) = ticket_days.window_day
    inner join snapshots
        on tickets.account_id = snapshots.account_id
        and ticket_days.snapshot_date = snapshots.snapshot_date
    group by snapshots.account_id, snapshots.snapshot_date
),

ticket_tones as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        -- exact decimal sums, so the mean does not depend on the order rows arrive in
        avg(cast(toned_texts.tone_score as decimal(18, 9))) as ticket_tone
    from toned_texts
    inner join ticket_days
        on toned_texts.written_on = ticket_days.window_day
    inner join snapshots
        on toned_texts.account_id = snapshots.account_id
        and ticket_days.snapshot_date = snapshots.snapshot_date
    where toned_texts.signal_name = 'ticket_tone' and ticket_days.is_tone_day
    group by snapshots.account_id, snapshots.snapshot_date
),

nps_sequenced as (
    -- each answer with its account's next newer and next older answer, ranked once per account
    -- instead of once per snapshot
    select
        account_id,
        responded_at,
        score,
        lag(responded_at) over (
            partition by account_id order by responded_at desc, response_id desc
        ) as newer_responded_at,
        lead(responded_at) over (
            partition by account_id order by responded_at desc, response_id desc
        ) as older_responded_at,
        lead(score) over (
            partition by account_id order by responded_at desc, response_id desc
        ) as older_score
    from nps
    where responded_at is not null
),

nps_latest as (
    -- the latest answer in the NPS window before the snapshot is the one there whose newer
    -- neighbour is not before the snapshot; the previous score is its older neighbour's, if
    -- that is in the window too
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        nps_sequenced.score as latest_score,
        case
            when {{ in_days_before(
                'nps_sequenced.older_responded_at', 'snapshots.snapshot_date',
                'window_lengths.nps_days', 'window_lengths.nps_offset_days'
            ) }}
                then nps_sequenced.older_score
        end as previous_score
    from nps_sequenced
    cross join window_lengths
    inner join nps_days
        on cast(nps_sequenced.responded_at as date) = nps_days.window_day
    inner join snapshots
        on nps_sequenced.account_id = snapshots.account_id
        and nps_days.snapshot_date = snapshots.snapshot_date
    where nps_sequenced.newer_responded_at is null
        or nps_sequenced.newer_responded_at >= nps_days.snapshot_date
),

community_windows as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(*) as activities
    from community
    inner join community_days
        on cast(community.occurred_at as date) = community_days.window_day
    inner join snapshots
        on community.account_id = snapshots.account_id
        and community_days.snapshot_date = snapshots.snapshot_date
    group by snapshots.account_id, snapshots.snapshot_date
),

review_tones as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        avg(cast(toned_texts.tone_score as decimal(18, 9))) as review_tone
    from toned_texts
    inner join review_days
        on toned_texts.written_on = review_days.window_day
    inner join snapshots
        on toned_texts.account_id = snapshots.account_id
        and review_days.snapshot_date = snapshots.snapshot_date
    where toned_texts.signal_name = 'review_tone'
    group by snapshots.account_id, snapshots.snapshot_date
),

measured as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        ticket_tones.ticket_tone,
        review_tones.review_tone,
        -- the baseline's tickets per recent window: 90 days over 30 is a third of them
        (1.0 + coalesce(ticket_windows.recent_tickets, 0))
        / (
            1.0 + coalesce(ticket_windows.earlier_tickets, 0)
            / (
                1.0 * window_lengths.ticket_frequency_baseline_days
                / window_lengths.ticket_frequency_recent_days
            )
        ) as ticket_frequency_trend,
        1.0 * nps_latest.latest_score as nps_latest,
        1.0 * nps_latest.latest_score - nps_latest.previous_score as nps_change,
        1.0 * coalesce(community_windows.activities, 0) as community_participation
    from snapshots
    cross join window_lengths
    left join ticket_windows
        on snapshots.account_id = ticket_windows.account_id
        and snapshots.snapshot_date = ticket_windows.snapshot_date
    left join nps_latest
        on snapshots.account_id = nps_latest.account_id
        and snapshots.snapshot_date = nps_latest.snapshot_date
    left join community_windows
        on snapshots.account_id = community_windows.account_id
        and snapshots.snapshot_date = community_windows.snapshot_date
    left join ticket_tones
        on snapshots.account_id = ticket_tones.account_id
        and snapshots.snapshot_date = ticket_tones.snapshot_date
    left join review_tones
        on snapshots.account_id = review_tones.account_id
        and snapshots.snapshot_date = review_tones.snapshot_date
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
