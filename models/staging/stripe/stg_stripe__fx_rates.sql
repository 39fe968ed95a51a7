{#-
    Conversion rates for a Stripe book. Stripe has none: they come from the `fx_rates` table you
    supply next to the Stripe tables (empty when absent: a USD-only book needs none). Codes are
    upper-cased, as the mapped lines and invoices are (Stripe writes `eur`).
-#}
with

supplied as (
    select * from {{ source('stripe', 'fx_rates') }}
),

final as (
    select
        upper(trim(cast(currency as {{ dbt.type_string() }}))) as currency,
        rate_to_usd
    from supplied
)

select * from final
