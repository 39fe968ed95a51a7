{#-
    The change in TTM NRR and GRR between two as-of months, split into named parts that add up
    exactly to it (docs/definitions.md#nrr-change-attribution): by segment (mix and rate, the
    interaction split half and half between them) and by cause (expansion, and the loss of each
    cause with the evidence that names it, unattributed for the rest).
-#}
with

accounts as (
    select * from {{ ref('int_nrr_cohort_changes_caused') }}
),

months as (
    select
        max(case when period_role = 'base' then as_of_month end) as base_month,
        max(case when period_role = 'as_of' then as_of_month end) as as_of_month,
        max(window_months) as window_months
    from {{ ref('int_nrr_attribution_months_resolved') }}
),

totals as (
    select
        sum(case when period_role = 'base' then starting_arr else 0 end) as base_starting_arr,
        sum(case when period_role = 'as_of' then starting_arr else 0 end) as as_of_starting_arr,
        sum(case when period_role = 'base' then ending_arr else 0 end) as base_ending_arr,
        sum(case when period_role = 'as_of' then ending_arr else 0 end) as as_of_ending_arr,
        sum(case when period_role = 'base' then loss_arr else 0 end) as base_loss_arr,
        sum(case when period_role = 'as_of' then loss_arr else 0 end) as as_of_loss_arr
    from accounts
    -- no row at all when either cohort is empty: there is no change to attribute
    having
        sum(case when period_role = 'base' then starting_arr else 0 end) > 0
        and sum(case when period_role = 'as_of' then starting_arr else 0 end) > 0
),

metric_values as (
    select
        'nrr' as metric,
        base_ending_arr / base_starting_arr as base_value,
        as_of_ending_arr / as_of_starting_arr as as_of_value,
        base_starting_arr,
        as_of_starting_arr
    from totals
    union all
    select
        'grr' as metric,
        (base_starting_arr - base_loss_arr) / base_starting_arr as base_value,
        (as_of_starting_arr - as_of_loss_arr) / as_of_starting_arr as as_of_value,
        base_starting_arr,
        as_of_starting_arr
    from totals
),

segment_sums as (
    select
        segment,
        sum(case when period_role = 'base' then starting_arr else 0 end) as base_starting_arr,
        sum(case when period_role = 'as_of' then starting_arr else 0 end) as as_of_starting_arr,
        sum(case when period_role = 'base' then ending_arr else 0 end) as base_ending_arr,
        sum(case when period_role = 'as_of' then ending_arr else 0 end) as as_of_ending_arr,
        sum(case when period_role = 'base' then loss_arr else 0 end) as base_loss_arr,
        sum(case when period_role = 'as_of' then loss_arr else 0 end) as as_of_loss_arr,
        count(case when period_role = 'base' then 1 end) as base_accounts,
        count(case when period_role = 'as_of' then 1 end) as as_of_accounts
    from accounts
    group by segment
),

segment_rates as (
    select
        metric_values.metric,
        segment_sums.segment,
        segment_sums.base_accounts,
        segment_sums.as_of_accounts,
        segment_sums.base_starting_arr / metric_values.base_starting_arr as base_weight,
        segment_sums.as_of_starting_arr / metric_values.as_of_starting_arr as as_of_weight,
        case
            when segment_sums.base_starting_arr = 0 then null
            when metric_values.metric = 'nrr'
                then segment_sums.base_ending_arr / segment_sums.base_starting_arr
            else (segment_sums.base_starting_arr - segment_sums.base_loss_arr)
                / segment_sums.base_starting_arr
        end as base_rate,
        case
            when segment_sums.as_of_starting_arr = 0 then null
            when metric_values.metric = 'nrr'
                then segment_sums.as_of_ending_arr / segment_sums.as_of_starting_arr
            else (segment_sums.as_of_starting_arr - segment_sums.as_of_loss_arr)
                / segment_sums.as_of_starting_arr
        end as as_of_rate
    from segment_sums
    cross join metric_values
),

segment_effects as (
    -- a segment absent from one cohort (weight 0) takes the other cohort's rate there: its
    -- whole contribution is then mix, and its rate effect 0
    select
        metric,
        segment,
        base_accounts,
        as_of_accounts,
        base_weight,
        as_of_weight,
        base_rate,
        as_of_rate,
        (as_of_weight - base_weight)
        * (coalesce(base_rate, as_of_rate) + coalesce(as_of_rate, base_rate)) / 2 as mix_effect,
        (coalesce(as_of_rate, base_rate) - coalesce(base_rate, as_of_rate))
        * (base_weight + as_of_weight) / 2 as rate_effect
    from segment_rates
),

segment_parts as (
    select
        metric,
        'segment' as decomposition,
        segment,
        'mix' as part_name,
        cast(null as {{ dbt.type_string() }}) as evidence_source,
        base_weight,
        as_of_weight,
        base_rate,
        as_of_rate,
        mix_effect as part_value,
        base_accounts,
        as_of_accounts
    from segment_effects
    union all
    select
        metric,
        'segment' as decomposition,
        segment,
        'rate' as part_name,
        cast(null as {{ dbt.type_string() }}) as evidence_source,
        base_weight,
        as_of_weight,
        base_rate,
        as_of_rate,
        rate_effect as part_value,
        base_accounts,
        as_of_accounts
    from segment_effects
),

cause_sums as (
    select
        loss_cause,
        evidence_source,
        sum(case when period_role = 'base' then loss_arr else 0 end) as base_loss_arr,
        sum(case when period_role = 'as_of' then loss_arr else 0 end) as as_of_loss_arr,
        count(case when period_role = 'base' then 1 end) as base_accounts,
        count(case when period_role = 'as_of' then 1 end) as as_of_accounts
    from accounts
    where loss_cause is not null
    group by loss_cause, evidence_source
),

expansion_sums as (
    select
        sum(case when period_role = 'base' then expansion_arr else 0 end) as base_expansion_arr,
        sum(case when period_role = 'as_of' then expansion_arr else 0 end) as as_of_expansion_arr,
        count(case when period_role = 'base' and expansion_arr > 0 then 1 end) as base_accounts,
        count(case when period_role = 'as_of' and expansion_arr > 0 then 1 end) as as_of_accounts
    from accounts
),

cause_parts as (
    -- a loss lowers the metric: its part is minus the change of its share of starting ARR
    select
        metric_values.metric,
        'cause' as decomposition,
        cast(null as {{ dbt.type_string() }}) as segment,
        cause_sums.loss_cause as part_name,
        cause_sums.evidence_source,
        cast(null as {{ double_type() }}) as base_weight,
        cast(null as {{ double_type() }}) as as_of_weight,
        cause_sums.base_loss_arr / metric_values.base_starting_arr as base_rate,
        cause_sums.as_of_loss_arr / metric_values.as_of_starting_arr as as_of_rate,
        cause_sums.base_loss_arr / metric_values.base_starting_arr
        - cause_sums.as_of_loss_arr / metric_values.as_of_starting_arr as part_value,
        cause_sums.base_accounts,
        cause_sums.as_of_accounts
    from cause_sums
    cross join metric_values
    union all
    -- expansion raises NRR only: GRR zeroes it per account
    select
        metric_values.metric,
        'cause' as decomposition,
        cast(null as {{ dbt.type_string() }}) as segment,
        'expansion' as part_name,
        'line_items' as evidence_source,
        cast(null as {{ double_type() }}) as base_weight,
        cast(null as {{ double_type() }}) as as_of_weight,
        expansion_sums.base_expansion_arr / metric_values.base_starting_arr as base_rate,
        expansion_sums.as_of_expansion_arr / metric_values.as_of_starting_arr as as_of_rate,
        expansion_sums.as_of_expansion_arr / metric_values.as_of_starting_arr
        - expansion_sums.base_expansion_arr / metric_values.base_starting_arr as part_value,
        expansion_sums.base_accounts,
        expansion_sums.as_of_accounts
    from expansion_sums
    cross join metric_values
    where metric_values.metric = 'nrr'
),

parts as (
    select * from segment_parts
    union all
    select * from cause_parts
),

final as (
    select
        cast(parts.metric as {{ dbt.type_string() }}) as metric,
        cast(parts.decomposition as {{ dbt.type_string() }}) as decomposition,
        cast(parts.segment as {{ dbt.type_string() }}) as segment,
        cast(parts.part_name as {{ dbt.type_string() }}) as part_name,
        cast(parts.evidence_source as {{ dbt.type_string() }}) as evidence_source,
        cast(months.base_month as date) as base_month,
        cast(months.as_of_month as date) as as_of_month,
        cast(months.window_months as integer) as window_months,
        cast(metric_values.base_value as {{ double_type() }}) as base_value,
        cast(metric_values.as_of_value as {{ double_type() }}) as as_of_value,
        cast(metric_values.as_of_value - metric_values.base_value as {{ double_type() }})
            as metric_change,
        cast(parts.base_weight as {{ double_type() }}) as base_weight,
        cast(parts.as_of_weight as {{ double_type() }}) as as_of_weight,
        cast(parts.base_rate as {{ double_type() }}) as base_rate,
        cast(parts.as_of_rate as {{ double_type() }}) as as_of_rate,
        cast(parts.part_value as {{ double_type() }}) as part_value,
        cast(parts.base_accounts as {{ dbt.type_bigint() }}) as base_accounts,
        cast(parts.as_of_accounts as {{ dbt.type_bigint() }}) as as_of_accounts
    from parts
    inner join metric_values
        on parts.metric = metric_values.metric
    cross join months
)

select * from final
