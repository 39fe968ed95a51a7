{{ check_raw_contract(source('raw', 'crm_events'), accepted_accounts=ref('stg_raw__accounts')) }}
