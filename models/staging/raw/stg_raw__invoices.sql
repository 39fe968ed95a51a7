with

checked as (
    select * from {{ ref('base_raw__invoices') }}
),

final as (
    select
        invoice_id,
        account_id,
        issued_at,
        due_date,
        amount,
        currency,
        status,
        paid_at,
        voided_at,
        attempt_count
    from checked
    where rejection_reason is null
)

select * from final
