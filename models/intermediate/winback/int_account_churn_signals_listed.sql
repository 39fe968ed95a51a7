{#-
    The signals each churn's reason is inferred from (docs/definitions.md#win-back), in long
    form: one row per observation dated before the churn date (CRM events, invoices in payment
    trouble, contractions), plus the states at churn (tenure, ICP tier) with no date. Only data
    dated before the churn is read; the rules of seeds/winback_reason_rules.csv keep their own
    lookback.
-#}
with

churns as (
    select * from {{ ref('int_account_churns_listed') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

crm_events as (
    -- the win-back signal of each event type comes from seeds/crm_event_types.csv
    select * from {{ ref('int_crm_events_classified') }}
),

invoices as (
    select * from {{ ref('stg_raw__invoices') }}
),

movements as (
    select * from {{ ref('int_account_arr_classified') }}
),

crm_signals as (
    select
        churns.account_id,
        churns.churn_date,
        crm_events.winback_signal_name as signal_name,
        crm_events.occurred_on as observed_on
    from churns
    inner join crm_events
        on churns.account_id = crm_events.account_id
        and crm_events.occurred_on < churns.churn_date
    where crm_events.winback_signal_name is not null
),

payment_signals as (
    -- an invoice due before the churn that was still unpaid at the churn date, or was paid
    -- after its due date; dated fields only (the export-time status is not known at churn),
    -- except void: a voided invoice was never owed
    select
        churns.account_id,
        churns.churn_date,
        'payment_issues' as signal_name,
        invoices.due_date as observed_on
    from churns
    inner join invoices
        on churns.account_id = invoices.account_id
        and invoices.due_date < churns.churn_date
    where invoices.status <> 'void'
        and (
            invoices.paid_at is null
            or cast(invoices.paid_at as date) >= churns.churn_date
            or cast(invoices.paid_at as date) > invoices.due_date
        )
),

contraction_signals as (
    select
        churns.account_id,
        churns.churn_date,
        'contractions' as signal_name,
        movements.snapshot_date as observed_on
    from churns
    inner join movements
        on churns.account_id = movements.account_id
        and movements.snapshot_date < churns.churn_date
    where movements.movement_type = 'contraction'
),

dated_signals as (
    select * from crm_signals
    union all
    select * from payment_signals
    union all
    select * from contraction_signals
),

state_signals as (
    select
        churns.account_id,
        churns.churn_date,
        'tenure_days' as signal_name,
        cast(churns.days_since_first_revenue as {{ double_type() }}) as signal_value
    from churns
    union all
    select
        churns.account_id,
        churns.churn_date,
        'icp_tier' as signal_name,
        cast(accounts.icp_tier as {{ double_type() }}) as signal_value
    from churns
    inner join accounts
        on churns.account_id = accounts.account_id
    where accounts.icp_tier is not null
),

final as (
    select
        account_id,
        churn_date,
        signal_name,
        observed_on,
        {{ dbt.datediff('observed_on', 'churn_date', 'day') }} as days_before_churn,
        cast(1 as {{ double_type() }}) as signal_value
    from dated_signals
    union all
    select
        account_id,
        churn_date,
        signal_name,
        cast(null as date) as observed_on,
        cast(null as integer) as days_before_churn,
        signal_value
    from state_signals
)

select * from final
