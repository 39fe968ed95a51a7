{{ check_raw_contract(source('raw', 'feedback_items'), accepted_accounts=ref('stg_raw__accounts')) }}
