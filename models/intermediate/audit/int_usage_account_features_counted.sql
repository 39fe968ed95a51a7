{#-
    Usage events up to as_of_date per account and feature, with whether the feature is in the
    seed feature_catalogue and whether the account ever had ARR. One grouped read of the usage
    aggregate (which keeps every feature, catalogued or not), never of the raw events: the
    unknown-feature and unbilled-usage checks (docs/definitions.md#plausibility) both read it.
-#}
with

feature_days as (
    select * from {{ ref('int_usage_account_feature_days_aggregated') }}
),

feature_catalogue as (
    select * from {{ ref('feature_catalogue') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

account_arr as (
    select * from {{ ref('int_account_arr_snapshotted') }}
),

account_features as (
    select
        feature_days.account_id,
        feature_days.feature,
        sum(feature_days.events) as events
    from feature_days
    cross join as_of
    where feature_days.usage_date <= as_of.as_of_date
    group by feature_days.account_id, feature_days.feature
),

accounts_with_arr as (
    select distinct account_id
    from account_arr
    where arr > 0
),

final as (
    select
        account_features.account_id,
        account_features.feature,
        cast(account_features.events as {{ dbt.type_bigint() }}) as events,
        feature_catalogue.feature is not null as is_catalogued,
        accounts_with_arr.account_id is not null as account_had_arr
    from account_features
    left join feature_catalogue
        on account_features.feature = feature_catalogue.feature
    left join accounts_with_arr
        on account_features.account_id = accounts_with_arr.account_id
)

select * from final
