{#-
    One row per account that ever had ARR up to the diagnosis month
    (docs/definitions.md#nrr-diagnosis): attributes, first revenue month and signup quarter,
    first churn and the tenure at it, the first contract's term, the ARR at the trailing-12-month
    baseline and at the as-of month, its ARR band, and whether it kept ARR 6 and 12 months after
    its first revenue month (null when not yet observable).
-#}
with

movements as (
    select * from {{ ref('int_account_arr_classified') }}
),

accounts as (
    select * from {{ ref('stg_raw__accounts') }}
),

line_items as (
    select * from {{ ref('int_line_items_annualized') }}
),

arr_bands as (
    select * from {{ ref('arr_bands') }}
),

diagnosis as (
    select * from {{ ref('int_diagnosis_quarter_resolved') }}
),

in_scope as (
    select movements.*
    from movements
    cross join diagnosis
    where movements.month <= diagnosis.as_of_month
),

firsts as (
    select
        account_id,
        min(case when arr > 0 then month end) as first_revenue_month,
        min(case when movement_type = 'churn' then month end) as first_churn_month
    from in_scope
    group by account_id
),

lost_arr as (
    -- the ARR lost at the first churn
    select
        in_scope.account_id,
        in_scope.previous_arr as first_churn_lost_arr
    from in_scope
    inner join firsts
        on in_scope.account_id = firsts.account_id
        and in_scope.month = firsts.first_churn_month
),

first_lines as (
    select
        account_id,
        interval_months,
        row_number() over (
            partition by account_id order by start_date asc, interval_months desc, line_item_id asc
        ) as line_rank
    from line_items
    where arr_usd > 0 and product = 'platform'
),

arr_at as (
    select
        in_scope.account_id,
        sum(case when in_scope.month = diagnosis.ttm_baseline_month then in_scope.arr else 0 end)
            as baseline_arr,
        sum(case when in_scope.month = diagnosis.as_of_month then in_scope.arr else 0 end)
            as as_of_arr
    from in_scope
    cross join diagnosis
    group by in_scope.account_id
),

retained as (
    select
        firsts.account_id,
        {%- for months in [6, 12] %}
            max(case
                when in_scope.month = cast({{ dbt.dateadd('month', months, 'firsts.first_revenue_month') }} as date)
                    and in_scope.arr > 0 then 1
                else 0
            end) as kept_{{ months }}m
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from firsts
    inner join in_scope
        on firsts.account_id = in_scope.account_id
    group by firsts.account_id
),

profiled as (
    select
        firsts.account_id,
        accounts.segment,
        accounts.industry,
        accounts.icp_tier,
        firsts.first_revenue_month,
        {{ quarter_label('firsts.first_revenue_month') }} as signup_quarter,
        firsts.first_churn_month,
        {{ dbt.datediff('firsts.first_revenue_month', 'firsts.first_churn_month', 'month') }}
            as first_churn_tenure_months,
        {{ dbt.datediff('firsts.first_revenue_month', 'diagnosis.as_of_month', 'month') }}
            as observed_tenure_months,
        coalesce(lost_arr.first_churn_lost_arr, 0) as first_churn_lost_arr,
        coalesce(first_lines.interval_months, 1) as first_term_months,
        coalesce(arr_at.baseline_arr, 0) as baseline_arr,
        coalesce(arr_at.as_of_arr, 0) as as_of_arr,
        {%- for months in [6, 12] %}
            case
                when cast({{ dbt.dateadd('month', months, 'firsts.first_revenue_month') }} as date)
                    <= diagnosis.as_of_month
                    then retained.kept_{{ months }}m = 1
            end as is_retained_{{ months }}m
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from firsts
    cross join diagnosis
    left join accounts
        on firsts.account_id = accounts.account_id
    left join lost_arr
        on firsts.account_id = lost_arr.account_id
    left join first_lines
        on firsts.account_id = first_lines.account_id
        and first_lines.line_rank = 1
    left join arr_at
        on firsts.account_id = arr_at.account_id
    left join retained
        on firsts.account_id = retained.account_id
    where firsts.first_revenue_month is not null
),

banded as (
    select
        profiled.*,
        arr_bands.arr_band as baseline_arr_band
    from profiled
    left join arr_bands
        on profiled.baseline_arr > 0
        and profiled.baseline_arr >= arr_bands.lower_bound_usd
        and (arr_bands.upper_bound_usd is null or profiled.baseline_arr < arr_bands.upper_bound_usd)
),

final as (
    select
        account_id,
        segment,
        industry,
        icp_tier,
        first_revenue_month,
        signup_quarter,
        first_churn_month,
        cast(first_churn_tenure_months as integer) as first_churn_tenure_months,
        cast(observed_tenure_months as integer) as observed_tenure_months,
        cast(first_churn_lost_arr as {{ double_type() }}) as first_churn_lost_arr,
        first_term_months,
        cast(baseline_arr as {{ double_type() }}) as baseline_arr,
        cast(as_of_arr as {{ double_type() }}) as as_of_arr,
        baseline_arr_band,
        is_retained_6m,
        is_retained_12m
    from banded
)

select * from final
