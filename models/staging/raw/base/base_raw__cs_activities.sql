{{ check_raw_contract(source('raw', 'cs_activities'), accepted_accounts=ref('stg_raw__accounts')) }}
