{{ check_raw_contract(source('raw', 'community_activity'), accepted_accounts=ref('stg_raw__accounts')) }}
