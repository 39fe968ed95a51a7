{{ check_raw_contract(source('raw', 'support_tickets'), accepted_accounts=ref('stg_raw__accounts')) }}
