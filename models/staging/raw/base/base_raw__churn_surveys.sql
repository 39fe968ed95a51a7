{{ check_raw_contract(source('raw', 'churn_surveys'), accepted_accounts=ref('stg_raw__accounts')) }}
