{#-
    Step 2 of the NRR diagnostic sweep (docs/definitions.md#nrr-diagnosis): each complete
    quarter's waterfall components as shares of the quarter's starting ARR, quarterly NRR and
    GRR, the change of each share against the quarter before, and the component that regressed
    most (expansion or reactivation falling, contraction or churn rising).
-#}
with

movements as (
    select * from {{ ref('int_account_arr_classified') }}
),

diagnosis as (
    select * from {{ ref('int_diagnosis_quarter_resolved') }}
),

quartered as (
    select
        movements.*,
        cast({{ dbt.date_trunc('quarter', 'movements.month') }} as date) as quarter_start
    from movements
    cross join diagnosis
    where movements.month <= diagnosis.as_of_month
),

quarter_first_months as (
    select
        quarter_start,
        min(month) as first_month
    from quartered
    group by quarter_start
),

starting as (
    -- the ARR at the snapshot before the quarter: previous_arr of its first month
    select
        quartered.quarter_start,
        sum(quartered.previous_arr) as starting_arr,
        count(case when quartered.previous_arr > 0 then 1 end) as starting_customers
    from quartered
    inner join quarter_first_months
        on quartered.quarter_start = quarter_first_months.quarter_start
        and quartered.month = quarter_first_months.first_month
    group by quartered.quarter_start
),

moved as (
    select
        quarter_start,
        {%- for movement in ['new', 'reactivation', 'expansion'] %}
            sum(case when movement_type = '{{ movement }}' then movement_arr else 0 end) as {{ movement }}_arr,
        {%- endfor %}
        sum(case when movement_type = 'contraction' then -movement_arr else 0 end) as contraction_arr,
        sum(case when movement_type = 'churn' then -movement_arr else 0 end) as churned_arr,
        count(case when movement_type = 'churn' then 1 end) as churned_customers
    from quartered
    group by quarter_start
),

{% set components = ['expansion', 'reactivation', 'contraction', 'churn'] %}
shares as (
    select
        moved.quarter_start,
        starting.starting_arr,
        moved.new_arr,
        moved.reactivation_arr,
        moved.expansion_arr,
        moved.contraction_arr,
        moved.churned_arr,
        starting.starting_customers,
        moved.churned_customers,
        starting.starting_arr + moved.new_arr + moved.reactivation_arr + moved.expansion_arr
        - moved.contraction_arr - moved.churned_arr as ending_arr,
        case when starting.starting_arr > 0 then 1.0 * moved.expansion_arr / starting.starting_arr end as expansion_share,
        case when starting.starting_arr > 0 then 1.0 * moved.reactivation_arr / starting.starting_arr end as reactivation_share,
        case when starting.starting_arr > 0 then 1.0 * moved.contraction_arr / starting.starting_arr end as contraction_share,
        case when starting.starting_arr > 0 then 1.0 * moved.churned_arr / starting.starting_arr end as churn_share,
        case
            when starting.starting_customers > 0
                then 1.0 * moved.churned_customers / starting.starting_customers
        end as logo_churn_share
    from moved
    inner join starting
        on moved.quarter_start = starting.quarter_start
),

retention as (
    select
        shares.*,
        1 + shares.expansion_share + shares.reactivation_share - shares.contraction_share - shares.churn_share as quarterly_nrr,
        1 - shares.contraction_share - shares.churn_share as quarterly_grr
    from shares
),

changes as (
    select
        retention.*,
        {%- for component in components + ['logo_churn'] %}
            {{ component }}_share - lag({{ component }}_share) over (order by retention.quarter_start)
                as {{ component }}_share_change,
        {%- endfor %}
        retention.quarterly_nrr - lag(retention.quarterly_nrr) over (order by retention.quarter_start) as quarterly_nrr_change,
        retention.quarterly_grr - lag(retention.quarterly_grr) over (order by retention.quarter_start) as quarterly_grr_change,
        row_number() over (order by retention.quarter_start desc) - 1 as quarters_back
    from retention
),

adverse as (
    -- how far each component moved against NRR, in shares of starting ARR
    select
        changes.*,
        changes.contraction_share_change as contraction_adverse,
        changes.churn_share_change as churn_adverse,
        -changes.expansion_share_change as expansion_adverse,
        -changes.reactivation_share_change as reactivation_adverse
    from changes
),

regressed as (
    select
        adverse.*,
        case
            when adverse.expansion_share_change is null then null
            {%- for component in components %}
                when {{ component }}_adverse > 0
                    {%- for other in components if other != component %}
                        and {{ component }}_adverse >= {{ other }}_adverse
                    {%- endfor %}
                    then '{{ component }}'
            {%- endfor %}
            else 'none'
        end as regressed_component
    from adverse
),

final as (
    select
        quarter_start,
        {{ quarter_label('quarter_start') }} as quarter_label,
        cast(quarters_back as integer) as quarters_back,
        cast(starting_arr as {{ double_type() }}) as starting_arr,
        cast(new_arr as {{ double_type() }}) as new_arr,
        cast(reactivation_arr as {{ double_type() }}) as reactivation_arr,
        cast(expansion_arr as {{ double_type() }}) as expansion_arr,
        cast(contraction_arr as {{ double_type() }}) as contraction_arr,
        cast(churned_arr as {{ double_type() }}) as churned_arr,
        cast(ending_arr as {{ double_type() }}) as ending_arr,
        cast(starting_customers as {{ dbt.type_bigint() }}) as starting_customers,
        cast(churned_customers as {{ dbt.type_bigint() }}) as churned_customers,
        {%- for component in components + ['logo_churn'] %}
            cast({{ component }}_share as {{ double_type() }}) as {{ component }}_share,
            cast({{ component }}_share_change as {{ double_type() }}) as {{ component }}_share_change,
        {%- endfor %}
        cast(quarterly_nrr as {{ double_type() }}) as quarterly_nrr,
        cast(quarterly_nrr_change as {{ double_type() }}) as quarterly_nrr_change,
        cast(quarterly_grr as {{ double_type() }}) as quarterly_grr,
        cast(quarterly_grr_change as {{ double_type() }}) as quarterly_grr_change,
        regressed_component,
        cast(case
            {%- for component in components %}
                when regressed_component = '{{ component }}' then {{ component }}_adverse
            {%- endfor %}
        end as {{ double_type() }}) as regression_share
    from regressed
)

select * from final
