{#-
    The accounts behind each cause of fct_nrr_diagnosis (docs/definitions.md#nrr-diagnosis):
    one row per cause and account that counts against it, with the ARR at risk and the evidence.
-#}
with

cause_accounts as (
    select * from {{ ref('int_nrr_cause_accounts_listed') }}
),

final as (
    select
        cause_key,
        account_id,
        cast(arr_at_risk as {{ double_type() }}) as arr_at_risk,
        evidence
    from cause_accounts
    where is_behind
)

select * from final
