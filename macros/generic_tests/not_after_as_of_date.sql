{#-
    Fails on every row dated after the run's `as_of_date` (for `grain='month'`, columns holding a
    month's first day, after the month of `as_of_date`).
-#}
{% test not_after_as_of_date(model, column_name, grain='day') %}

with as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
)

select tested.*
from {{ model }} as tested
cross join as_of
where tested.{{ column_name }} > {{ 'as_of.as_of_month' if grain == 'month' else 'as_of.as_of_date' }}

{% endtest %}
