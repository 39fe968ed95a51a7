with

checked as (
    select * from {{ ref('base_raw__subscription_line_items') }}
),

final as (
    select
        line_item_id,
        account_id,
        product,
        plan,
        line_type,
        interval_months,
        start_date,
        end_date,
        quantity,
        unit_price,
        discount_pct,
        currency
    from checked
    where rejection_reason is null
)

select * from final
