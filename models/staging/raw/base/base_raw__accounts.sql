{{ check_raw_contract(source('raw', 'accounts')) }}
