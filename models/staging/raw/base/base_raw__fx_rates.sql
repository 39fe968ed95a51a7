{{ check_raw_contract(source('raw', 'fx_rates')) }}
