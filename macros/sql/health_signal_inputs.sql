{#-
    The inputs each health signal needs (names from health_input_names()): a signal has data at
    a snapshot when its value is not null and every input it names is present in the book
    before the snapshot (docs/definitions.md#health-coverage). days_to_renewal reads only the line items every
    customer has, so it needs nothing more (and is null on monthly plans).
-#}
{% macro health_signal_inputs() %}
    {{ return({
        'feature_breadth': ['usage'],
        'feature_depth': ['usage'],
        'integrations_connected': ['integration'],
        'seat_penetration': ['user', 'usage'],
        'workflows_created': ['usage'],
        'usage_trend': ['usage'],
        'session_depth_trend': ['usage'],
        'new_features_discovered': ['usage'],
        'champion_activity': ['user', 'usage'],
        'executive_sponsor_activity': ['user', 'usage'],
        'ticket_tone': ['support'],
        'ticket_frequency_trend': ['support'],
        'nps_latest': ['nps'],
        'nps_change': ['nps'],
        'community_participation': ['community'],
        'review_tone': ['feedback'],
        'days_to_renewal': [],
        'payment_behaviour': ['invoice'],
        'expansion_conversations': ['crm'],
        'stakeholder_changes': ['crm'],
        'competitor_signals': ['crm'],
    }) }}
{% endmacro %}
