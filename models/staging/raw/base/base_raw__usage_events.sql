{{ check_raw_contract(source('raw', 'usage_events'), accepted_accounts=ref('stg_raw__accounts')) }}
