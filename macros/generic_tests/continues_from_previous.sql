{#-
    Fails where a row's `start` column differs from the `end` column of the row before it (per
    `partition_by`, ordered by `order_by`): a period opens where the last one closed.
-#}
{% test continues_from_previous(model, start, end, order_by, partition_by=[]) %}

with ordered as (
    select
        {{ partition_by | join(', ') ~ ', ' if partition_by }}
        {{ order_by }},
        {{ start }} as period_start_value,
        lag({{ end }}) over (
            {% if partition_by %}partition by {{ partition_by | join(', ') }}{% endif %}
            order by {{ order_by }}
        ) as previous_end_value
    from {{ model }}
)

select *
from ordered
where previous_end_value is not null
    and period_start_value <> previous_end_value

{% endtest %}
