-- A rejected account or line item never shows up downstream of staging.
with

rejected as (
    select * from {{ ref('audit_rejected_rows') }}
),

accounts as (
    select account_id from {{ ref('dim_accounts') }}
),

line_items as (
    select line_item_id from {{ ref('int_line_items_annualized') }}
),

final as (
    select
        rejected.source_table,
        rejected.record_id
    from rejected
    inner join accounts
        on rejected.source_table = 'accounts'
        and rejected.record_id = accounts.account_id
    union all
    select
        rejected.source_table,
        rejected.record_id
    from rejected
    inner join line_items
        on rejected.source_table = 'subscription_line_items'
        and rejected.record_id = line_items.line_item_id
)

select * from final
