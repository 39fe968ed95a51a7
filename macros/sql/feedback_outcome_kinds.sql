{#-
    The outcomes the feedback marts measure and the day-level ARR changes
    (int_account_arr_changes_dated) that make each: one row per (outcome, change_kind).
-#}
{% macro feedback_outcome_kinds() -%}
    select 'churn' as outcome, 'churn' as change_kind
    union all
    select 'contraction' as outcome, 'contraction' as change_kind
    union all
    select 'churn_or_contraction' as outcome, 'churn' as change_kind
    union all
    select 'churn_or_contraction' as outcome, 'contraction' as change_kind
    union all
    select 'expansion' as outcome, 'expansion' as change_kind
{%- endmacro %}
