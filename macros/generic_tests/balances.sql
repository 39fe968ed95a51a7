{#-
    Fails on every row where start + additions - subtractions differs from end by more than
    `tolerance`: the identity of a waterfall (docs/definitions.md#waterfall), in ARR or in counts.
-#}
{% test balances(model, start, additions, subtractions, end, tolerance=0.005) %}

select *
from {{ model }}
where abs(
    {{ start }}
    {%- for column in additions %} + {{ column }}{% endfor %}
    {%- for column in subtractions %} - {{ column }}{% endfor %}
    - {{ end }}
) > {{ tolerance }}

{% endtest %}
