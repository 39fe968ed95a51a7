{{ check_raw_contract(raw_input('accounts'), table='accounts') }}
