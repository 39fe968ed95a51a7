{#-
    Fails on every row where `expression` is not true (null counts as not true). On a column,
    the expression still names the column itself.
    Example: `expression_is_true: {arguments: {expression: "grr <= nrr"}}`
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
