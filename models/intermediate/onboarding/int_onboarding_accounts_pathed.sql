{#-
    The accounts whose onboarding the data shows, with their activation path
    (docs/definitions.md#onboarding): accounts created on or after the first day of usage data
    (before it no onboarding could be seen) and by the data's end (the end of as_of_date). The
    path is the matching row of seed activation_paths with the lowest priority (an empty signal
    matches any account). hours_observed: hours from creation to the data's end.
-#}
with

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

paths as (
    select * from {{ ref('activation_paths') }}
),

feature_days as (
    select * from {{ ref('int_usage_account_feature_days_aggregated') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

data_span as (
    select
        min(feature_days.usage_date) as first_usage_date,
        max(as_of.as_of_date) as as_of_date
    from feature_days
    cross join as_of
),

observed as (
    select
        accounts.account_id,
        accounts.created_at,
        accounts.segment,
        accounts.use_case,
        accounts.acquisition_channel,
        accounts.employee_count,
        cast({{ dbt.date_trunc('month', 'accounts.created_at') }} as date) as signup_month,
        cast(
            {{ dbt.dateadd('day', 1, 'data_span.as_of_date') }} as {{ dbt.type_timestamp() }}
        ) as data_end_at
    from accounts
    cross join data_span
    where
        cast(accounts.created_at as date) >= data_span.first_usage_date
        and cast(accounts.created_at as date) <= data_span.as_of_date
),

matched as (
    select
        observed.account_id,
        paths.path,
        paths.lead_milestone,
        row_number() over (
            partition by observed.account_id order by paths.priority
        ) as match_rank
    from observed
    inner join paths
        on
        (paths.segment is null or paths.segment = observed.segment)
        and (paths.use_case is null or paths.use_case = observed.use_case)
        and (
            paths.acquisition_channel is null
            or paths.acquisition_channel = observed.acquisition_channel
        )
        and (paths.min_employees is null or observed.employee_count >= paths.min_employees)
        and (paths.max_employees is null or observed.employee_count <= paths.max_employees)
),

final as (
    select
        observed.account_id,
        observed.created_at,
        observed.signup_month,
        observed.segment,
        matched.lead_milestone,
        observed.data_end_at,
        coalesce(matched.path, 'unmatched') as path,
        {{ dbt.datediff('observed.created_at', 'observed.data_end_at', 'second') }} / 3600.0
            as hours_observed
    from observed
    left join matched
        on observed.account_id = matched.account_id and matched.match_rank = 1
)

select * from final
