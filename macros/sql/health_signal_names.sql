{#-
    The health signals by category, in display order. The SQL that measures a signal defines it
    here; the seed `health_signals` gives each one its weight and scoring range (a data test
    checks that both name the same signals).
-#}
{% macro health_signal_names() %}
    {{ return({
        'adoption': ['feature_breadth', 'feature_depth', 'integrations_connected',
                     'seat_penetration', 'workflows_created'],
        'engagement': ['usage_trend', 'session_depth_trend', 'new_features_discovered',
                       'champion_activity', 'executive_sponsor_activity'],
        'sentiment': ['ticket_tone', 'ticket_frequency_trend', 'nps_latest', 'nps_change',
                      'community_participation', 'review_tone'],
        'commercial': ['days_to_renewal', 'payment_behaviour', 'expansion_conversations',
                       'stakeholder_changes', 'competitor_signals'],
    }) }}
{% endmacro %}
