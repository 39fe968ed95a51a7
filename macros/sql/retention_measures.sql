{#-
    The retention measures of a group of cohort rows (docs/definitions.md#retention), as select
    expressions over `starting_arr` and `ending_arr` per account: NRR, GRR with expansion zeroed
    per account, logo retention and the split of the change into expansion, contraction and churn.
    Shared by the total and the per-dimension NRR marts so that both say the same thing.
-#}
{% macro retention_measures() -%}
        cast(count(*) as {{ dbt.type_bigint() }}) as cohort_customers,
        cast(sum(starting_arr) as {{ arr_type() }}) as starting_arr,
        cast(sum(ending_arr) as {{ arr_type() }}) as ending_arr,
        cast(sum(case
            when ending_arr > starting_arr then ending_arr - starting_arr else 0
        end) as {{ arr_type() }}) as expansion_arr,
        cast(sum(case
            when ending_arr > 0 and ending_arr < starting_arr then starting_arr - ending_arr
            else 0
        end) as {{ arr_type() }}) as contraction_arr,
        cast(sum(case
            when ending_arr = 0 then starting_arr else 0
        end) as {{ arr_type() }}) as churned_arr,
        cast(count(case when ending_arr > 0 then 1 end) as {{ dbt.type_bigint() }})
            as retained_customers,
        {{ safe_ratio('sum(ending_arr)', 'sum(starting_arr)') }} as nrr,
        {{ safe_ratio(
            'sum(case when ending_arr < starting_arr then ending_arr else starting_arr end)',
            'sum(starting_arr)') }} as grr,
        {{ safe_ratio('count(case when ending_arr > 0 then 1 end)', 'count(*)') }}
            as logo_retention
{%- endmacro %}
