{#-
    Fails on every raw table whose rejected share passes `max_share` (default: the var
    `max_rejected_share`, 1%): quarantine is for stray rows, not for an export that is broken.
-#}
{% test rejected_share_within_limit(model, column_name, max_share=none) %}

select *
from {{ model }}
where {{ column_name }} > {{ max_share if max_share is not none else var('max_rejected_share') }}

{% endtest %}
