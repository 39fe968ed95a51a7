{{ check_raw_contract(source('raw', 'nps_responses'), accepted_accounts=ref('stg_raw__accounts')) }}
