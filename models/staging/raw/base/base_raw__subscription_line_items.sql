{{ check_raw_contract(
    raw_input('subscription_line_items'),
    table='subscription_line_items',
    accepted_accounts=ref('stg_raw__accounts'),
    accepted_fx_rates=ref('stg_raw__fx_rates')
) }}
