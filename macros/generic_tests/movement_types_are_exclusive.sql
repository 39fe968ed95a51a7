{#-
    Fails on every row whose movement label does not match exactly one movement rule
    (docs/definitions.md#movements): starts (new or reactivation) 0 -> >0, churn >0 -> 0,
    expansion and contraction between positives, flat when equal and positive. A row with no
    ARR in either month fails too: it should not exist.
-#}
{% test movement_types_are_exclusive(model, arr='arr', previous_arr='previous_arr', movement_type='movement_type') %}

with rules as (
    select
        *,
        case when {{ previous_arr }} = 0 and {{ arr }} > 0 then 1 else 0 end as is_start,
        case when {{ previous_arr }} > 0 and {{ arr }} = 0 then 1 else 0 end as is_churn,
        case
            when {{ previous_arr }} > 0 and {{ arr }} > {{ previous_arr }} then 1 else 0
        end as is_expansion,
        case
            when {{ arr }} > 0 and {{ arr }} < {{ previous_arr }} then 1 else 0
        end as is_contraction,
        case when {{ arr }} > 0 and {{ arr }} = {{ previous_arr }} then 1 else 0 end as is_flat
    from {{ model }}
)

select *
from rules
where is_start + is_churn + is_expansion + is_contraction + is_flat <> 1
    or (is_start = 1 and {{ movement_type }} not in ('new', 'reactivation'))
    or (is_churn = 1 and {{ movement_type }} <> 'churn')
    or (is_expansion = 1 and {{ movement_type }} <> 'expansion')
    or (is_contraction = 1 and {{ movement_type }} <> 'contraction')
    or (is_flat = 1 and {{ movement_type }} <> 'flat')

{% endtest %}
