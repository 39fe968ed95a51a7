{#-
    Commercial signals per account and snapshot (docs/definitions.md#health-signals): time to
    renewal, payment behaviour as it stood at the snapshot, expansion conversations, stakeholder
    changes and competitor signals. Invoices and CRM events join
    int_health_snapshot_windows_listed on their day, not by a range join into every account's
    history (docs/definitions.md#health-snapshots). The windows are rows of
    seeds/health_signal_windows.csv, read at run time; which CRM event counts where says
    int_crm_events_classified (seeds/crm_event_types.csv).
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

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

invoices as (
    select * from {{ ref('stg_raw__invoices') }}
),

crm_events as (
    select * from {{ ref('int_crm_events_classified') }}
),

window_lengths as (
    -- this model's windows of the seed, as one row
    select {{ signal_window_columns([
        'payment_invoices', 'late_payments', 'expansion_conversations', 'competitor_signals',
        'stakeholder_changes'
    ]) }}
    from signal_windows
),

invoice_days as (
    select
        windows.snapshot_date,
        windows.window_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('payment_invoices') }}
),

relationship_days as (
    -- the days of the CRM windows before each snapshot, with the windows each is in
    select
        windows.snapshot_date,
        windows.window_day,
        {{ in_signal_window('expansion_conversations') }} as is_expansion_day,
        {{ in_signal_window('competitor_signals') }} as is_competitor_day,
        {{ in_signal_window('stakeholder_changes') }} as is_stakeholder_day
    from windows
    cross join window_lengths
    where {{ in_signal_window('expansion_conversations') }}
        or {{ in_signal_window('competitor_signals') }}
        or {{ in_signal_window('stakeholder_changes') }}
),

renewals as (
    -- the nearest end of a term contract (annual or longer) running at the snapshot
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        min(line_items.end_date) as next_renewal_date
    from snapshots
    inner join line_items
        on snapshots.account_id = line_items.account_id
        and line_items.interval_months >= 12
        and snapshots.snapshot_date >= line_items.start_date
        and snapshots.snapshot_date < line_items.end_date
    group by snapshots.account_id, snapshots.snapshot_date
),

payments as (
    -- the invoices issued in the invoice window before the snapshot, as each stood on the
    -- snapshot day: overdue means due, not yet paid and not yet voided then. The export's
    -- status is its state at export, so a void counts from voided_at; an undated void (an
    -- export without the column) from its issue, as there is no better date
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(case
            when invoices.due_date < snapshots.snapshot_date
                and (invoices.paid_at is null or invoices.paid_at >= snapshots.snapshot_date)
                and not (
                    invoices.status = 'void'
                    and (invoices.voided_at is null or invoices.voided_at < snapshots.snapshot_date)
                )
                then 1
        end) as overdue_invoices,
        count(case
            when
                {{ in_days_before(
                    'invoices.paid_at', 'snapshots.snapshot_date',
                    'window_lengths.late_payments_days', 'window_lengths.late_payments_offset_days'
                ) }}
                and cast(invoices.paid_at as date) > invoices.due_date
                then 1
        end) as late_payments
    from invoices
    cross join window_lengths
    inner join invoice_days
        on invoices.issued_at = invoice_days.window_day
    inner join snapshots
        on invoices.account_id = snapshots.account_id
        and invoice_days.snapshot_date = snapshots.snapshot_date
    -- only an invoice paid after its due date, or not yet, is ever overdue or late; the others
    -- would add only zero counts
    where invoices.paid_at is null
        or cast(invoices.paid_at as date) > invoices.due_date
    group by snapshots.account_id, snapshots.snapshot_date
),

relationship_events as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        count(case
            when crm_events.is_expansion_conversation and relationship_days.is_expansion_day then 1
        end) as expansion_events,
        count(case
            when crm_events.is_competitor_signal and relationship_days.is_competitor_day then 1
        end) as competitor_events,
        count(case
            when crm_events.is_champion_departure and relationship_days.is_stakeholder_day then 1
        end) as champion_departures,
        count(case
            when crm_events.is_new_executive and relationship_days.is_stakeholder_day then 1
        end) as new_executives
    from crm_events
    inner join relationship_days
        on crm_events.occurred_on = relationship_days.window_day
    inner join snapshots
        on crm_events.account_id = snapshots.account_id
        and relationship_days.snapshot_date = snapshots.snapshot_date
    group by snapshots.account_id, snapshots.snapshot_date
),

measured as (
    select
        snapshots.account_id,
        snapshots.snapshot_date,
        -- monthly plans have no term to renew: missing
        1.0 * {{ dbt.datediff('snapshots.snapshot_date', 'renewals.next_renewal_date', 'day') }}
            as days_to_renewal,
        coalesce(payments.overdue_invoices, 0)
        + 0.5 * coalesce(payments.late_payments, 0) as payment_behaviour,
        1.0 * coalesce(relationship_events.expansion_events, 0) as expansion_conversations,
        case
            when relationship_events.champion_departures > 0 then 1.0
            -- a new executive is risk and opportunity at once
            when relationship_events.new_executives > 0 then 0.4
            else 0.0
        end as stakeholder_changes,
        1.0 * coalesce(relationship_events.competitor_events, 0) as competitor_signals
    from snapshots
    left join renewals
        on snapshots.account_id = renewals.account_id
        and snapshots.snapshot_date = renewals.snapshot_date
    left join payments
        on snapshots.account_id = payments.account_id
        and snapshots.snapshot_date = payments.snapshot_date
    left join relationship_events
        on snapshots.account_id = relationship_events.account_id
        and snapshots.snapshot_date = relationship_events.snapshot_date
),

final as (
    -- every signal as a double, whatever arithmetic produced it
    select
        account_id,
        snapshot_date,
    {%- for signal in health_signal_names()['commercial'] %}
        cast({{ signal }} as {{ double_type() }}) as {{ signal }}{{ "," if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}
    from measured
)

select * from final
