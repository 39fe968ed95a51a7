{#-
    The tables of the raw contract, in dependency order (accounts and fx_rates first). Models that
    loop over every raw table (the audit trail) use this list, so that the loop is known when dbt
    parses the project; a test checks it against the `raw` source.
-#}
{% macro raw_table_names() %}
    {{ return([
        'accounts', 'fx_rates', 'subscription_line_items', 'invoices', 'users', 'usage_events',
        'integrations', 'support_tickets', 'nps_responses', 'feedback_items', 'crm_events',
        'community_activity', 'churn_surveys', 'cs_activities',
    ]) }}
{% endmacro %}
