{{ check_raw_contract(source('raw', 'integrations'), accepted_accounts=ref('stg_raw__accounts')) }}
