{{ check_raw_contract(source('raw', 'users'), accepted_accounts=ref('stg_raw__accounts')) }}
