-- The NRR recovery playbook's diagnostic sweep as one read: the trailing quarters' waterfall
-- components (step 2) beside the diagnosis of the latest complete quarter (the named causes, the
-- dominant one first). A thin query over the diagnosis marts, which hold the logic and its tests
-- (docs/definitions.md#nrr-diagnosis). Compile with `dbt compile -s nrr_diagnostic_sweep`.
with

components as (
    select * from {{ ref('fct_nrr_components_quarterly') }}
),

diagnosis as (
    select * from {{ ref('fct_nrr_diagnosis') }}
),

dominant as (
    select
        diagnosis.cause_label,
        diagnosis.diagnosis_statement
    from diagnosis
    where diagnosis.is_dominant
),

final as (
    select
        components.quarter_label,
        components.starting_arr,
        components.expansion_share,
        components.contraction_share,
        components.churn_share,
        components.reactivation_share,
        components.logo_churn_share,
        components.quarterly_nrr,
        components.quarterly_grr,
        components.regressed_component,
        dominant.cause_label as dominant_cause,
        dominant.diagnosis_statement
    from components
    -- a book without a dominant cause keeps its quarters
    left join dominant on 1 = 1
)

select * from final
order by quarter_label desc
