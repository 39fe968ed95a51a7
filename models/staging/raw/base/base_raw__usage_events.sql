{#-
    The largest raw table: checked once into a table (not a view) so that staging, the usage
    aggregates and the audit trail read the result instead of repeating the duplicate collapse
    and key check over every event.
-#}
{{ config(materialized='table') }}

{{ check_raw_contract(source('raw', 'usage_events'), accepted_accounts=ref('stg_raw__accounts')) }}
