{{ check_raw_contract(
    raw_input('invoices'),
    table='invoices',
    accepted_accounts=ref('stg_raw__accounts'),
    accepted_fx_rates=ref('stg_raw__fx_rates')
) }}
