{#-
    Stripe invoices as the raw contract's invoices (docs/map_your_exports.md#stripe-fivetran).
    Drafts are left out: a draft is not issued, Stripe may still change or delete it. Status:
    paid, open and void as they are, uncollectible -> failed; any other value goes on as it is
    and is quarantined by the contract check. The issue date is `created`; an invoice charged
    automatically has no due date and is due on issue. paid_at and voided_at are Stripe's status
    transitions. Amount: amount_due in currency units (stripe_amount()).
-#}
with

invoices as (
    select * from {{ source('stripe', 'invoice') }}
),

issued as (
    select * from invoices
    where coalesce(lower(trim(cast(status as {{ dbt.type_string() }}))), '') <> 'draft'
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as invoice_id,
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast({{ safe_cast('created', dbt.type_timestamp()) }} as date) as issued_at,
        cast(coalesce(
            {{ safe_cast('due_date', dbt.type_timestamp()) }},
            {{ safe_cast('created', dbt.type_timestamp()) }}
        ) as date) as due_date,
        {{ stripe_amount('amount_due', 'currency') }} as amount,
        upper(trim(cast(currency as {{ dbt.type_string() }}))) as currency,
        case lower(trim(cast(status as {{ dbt.type_string() }})))
            when 'uncollectible' then 'failed'
            else lower(trim(cast(status as {{ dbt.type_string() }})))
        end as status,
        status_transitions_paid_at as paid_at,
        status_transitions_voided_at as voided_at,
        coalesce(cast(attempt_count as {{ dbt.type_string() }}), '0') as attempt_count
    from issued
)

select * from final
