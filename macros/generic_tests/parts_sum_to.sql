{#-
    Fails on every group (the columns `group_by`) whose parts (`part`, summed) differ from its
    total (`total`, the same on each row of the group) by more than `tolerance`: a
    decomposition whose named parts must add up exactly to the change they explain
    (docs/definitions.md#nrr-change-attribution).
-#}
{% test parts_sum_to(model, part, total, group_by, tolerance=1e-9) %}

select
    {{ group_by | join(', ') }},
    sum({{ part }}) as parts_sum,
    max({{ total }}) as total_value,
    count(*) as parts
from {{ model }}
group by {{ group_by | join(', ') }}
having
    abs(sum({{ part }}) - max({{ total }})) > {{ tolerance }}
    or max({{ total }}) <> min({{ total }})

{% endtest %}
