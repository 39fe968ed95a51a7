{{ check_raw_contract(raw_input('fx_rates'), table='fx_rates') }}
