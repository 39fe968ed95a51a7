{#-
    Time to first value (M2) as a Kaplan-Meier curve (docs/definitions.md#time-to-first-value),
    published with a contract: by signup month (cohort, and 'all') and path (and 'all'), one row
    per hour since creation on which an account reached first value or was censored (not reached
    by the data's end).
-#}
with

curve as (
    select * from {{ ref('int_onboarding_first_value_survived') }}
),

final as (
    select
        cohort,
        path,
        cast(hours_since_creation as {{ double_type() }}) as hours_since_creation,
        cast(accounts as {{ dbt.type_bigint() }}) as accounts,
        cast(at_risk as {{ dbt.type_bigint() }}) as at_risk,
        cast(reached as {{ dbt.type_bigint() }}) as reached,
        cast(censored as {{ dbt.type_bigint() }}) as censored,
        cast(cumulative_reached as {{ dbt.type_bigint() }}) as cumulative_reached,
        -- shares rounded to 6 places: no float noise in what is published
        {{ round_half('reached_share', 6) }} as reached_share,
        {{ round_half('reached_share_lower', 6) }} as reached_share_lower,
        {{ round_half('reached_share_upper', 6) }} as reached_share_upper
    from curve
)

select * from final
