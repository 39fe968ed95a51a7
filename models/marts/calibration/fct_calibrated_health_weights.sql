{{ config(alias='calibrated_health_weights') }}

-- The contract in front of the Python model py_health_calibration_weights (Python models carry none themselves).
with

calibrated as (
    select * from {{ ref('py_health_calibration_weights') }}
),

final as (
    select
        cast(level as {{ dbt.type_string() }}) as level,
        cast(name as {{ dbt.type_string() }}) as name,
        cast(weight_group as {{ dbt.type_string() }}) as weight_group,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(coefficient as {{ double_type() }}) as coefficient,
        cast(odds_ratio_per_sd as {{ double_type() }}) as odds_ratio_per_sd,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast(normalised_share as {{ double_type() }}) as normalised_share,
        cast(prior_weight as {{ double_type() }}) as prior_weight,
        cast(prior_share as {{ double_type() }}) as prior_share,
        cast(share_change as {{ double_type() }}) as share_change,
        cast(calibrated_weight as {{ double_type() }}) as calibrated_weight,
        cast(train_snapshots as bigint) as train_snapshots,
        cast(train_churned as bigint) as train_churned,
        cast(cutoff_date as date) as cutoff_date,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(status_reason as {{ dbt.type_string() }}) as status_reason
    from calibrated
)

select * from final
