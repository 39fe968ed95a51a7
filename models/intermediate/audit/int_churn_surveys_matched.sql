{#-
    Each account with a churn survey, matched with its ARR history: did it ever have a churn
    movement (ARR to zero) by as_of_date? An exit survey from an account whose ARR never went
    to zero is a plausibility warning (docs/definitions.md#plausibility).
-#}
with

churn_surveys as (
    select * from {{ ref('stg_raw__churn_surveys') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

movements as (
    select * from {{ ref('int_account_arr_classified') }}
),

surveys_to_date as (
    select churn_surveys.account_id
    from churn_surveys
    cross join as_of
    where cast(churn_surveys.submitted_at as date) <= as_of.as_of_date
),

surveyed_accounts as (
    select
        account_id,
        count(*) as surveys
    from surveys_to_date
    group by account_id
),

churned_accounts as (
    select
        account_id,
        count(*) as churn_movements
    from movements
    where movement_type = 'churn'
    group by account_id
),

final as (
    select
        surveyed_accounts.account_id,
        cast(surveyed_accounts.surveys as {{ dbt.type_bigint() }}) as surveys,
        cast(coalesce(churned_accounts.churn_movements, 0) as {{ dbt.type_bigint() }})
            as churn_movements,
        churned_accounts.account_id is not null as lost_arr
    from surveyed_accounts
    left join churned_accounts
        on surveyed_accounts.account_id = churned_accounts.account_id
)

select * from final
