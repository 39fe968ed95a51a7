{#-
    The retention measures of a group of cohort rows (docs/definitions.md#retention), as select
    expressions over `account_id`, `starting_arr` and `ending_arr` per account: NRR, GRR with
    expansion zeroed per account, logo retention, and the split of the change into expansion,
    contraction and churn. An empty cohort (a left join that found no account) gives zero
    amounts and null ratios. Shared by the total and the per-dimension NRR marts so that both say
    the same thing.
-#}
{% macro retention_measures() -%}
        cast(count(account_id) as {{ dbt.type_bigint() }}) as cohort_customers,
        cast(coalesce(sum(starting_arr), 0) as {{ arr_type() }}) as starting_arr,
        cast(coalesce(sum(ending_arr), 0) as {{ arr_type() }}) as ending_arr,
        cast(coalesce(sum(case
            when ending_arr > starting_arr then ending_arr - starting_arr else 0
        end), 0) as {{ arr_type() }}) as expansion_arr,
        cast(coalesce(sum(case
            when ending_arr > 0 and ending_arr < starting_arr then starting_arr - ending_arr
            else 0
        end), 0) as {{ arr_type() }}) as contraction_arr,
        cast(coalesce(sum(case
            when ending_arr = 0 then starting_arr else 0
        end), 0) as {{ arr_type() }}) as churned_arr,
        cast(count(case when ending_arr > 0 then 1 end) as {{ dbt.type_bigint() }})
            as retained_customers,
        {{ safe_ratio('sum(ending_arr)', 'sum(starting_arr)') }} as nrr,
        {{ safe_ratio(
            'sum(case when ending_arr < starting_arr then ending_arr else starting_arr end)',
            'sum(starting_arr)') }} as grr,
        {{ safe_ratio('count(case when ending_arr > 0 then 1 end)', 'count(account_id)') }}
            as logo_retention
{%- endmacro %}
