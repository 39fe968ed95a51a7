{#-
    The inputs a health signal can rest on, each with whether it is behavioural (what the
    customer does: product use, people, support, surveys, community, CRM) or billing. An input
    is present at a snapshot when the book has a row of it dated before the snapshot
    (int_health_inputs_dated); fct_account_health shows each as `has_<input>_data`. Without a
    behavioural signal with data a snapshot is `insufficient_data`
    (docs/definitions.md#health-coverage).
-#}
{% macro health_input_names() %}
    {{ return({
        'usage': true,
        'user': true,
        'integration': true,
        'support': true,
        'nps': true,
        'feedback': true,
        'community': true,
        'crm': true,
        'invoice': false,
    }) }}
{% endmacro %}
