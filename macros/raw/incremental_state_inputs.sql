{#-
    What the incremental state check (docs/definitions.md#incremental-runs) fingerprints.

    `models`: every incremental model, the window it re-reads (`usage`: `usage_lookback_days`
    before its latest stored day; `health`: `health_restate_days` before its latest stored
    snapshot) and the expression of that stored day. The check stops if an incremental model is
    missing here, so a new one cannot be forgotten. Models of the `replace_all` strategy
    (the feedback classification, macros/sql/get_incremental_replace_all_sql.sql) re-read
    everything and replace their whole table each run: they have no window and are not listed.

    `tables`: every raw table an incremental model reads, the window whose cut-off applies
    (raw rows dated before it are never read again by an incremental run), the column that
    dates a row (none: every row counts), the columns hashed, and `capped` columns: dates that
    normally move later (a line that ends, an invoice paid), hashed only when they fall before
    the cut-off, because only then do they change history already stored.
-#}
{% macro incremental_state_inputs() %}
    {{ return({
        'models': {
            'base_raw__usage_events': {'window': 'usage', 'stored_day': 'cast(occurred_at as date)'},
            'int_usage_account_feature_days_aggregated': {'window': 'usage', 'stored_day': 'usage_date'},
            'int_usage_sessions_aggregated': {'window': 'usage', 'stored_day': 'usage_date'},
            'int_account_snapshots_listed': {'window': 'health', 'stored_day': 'snapshot_date'},
            'int_health_adoption_measured': {'window': 'health', 'stored_day': 'snapshot_date'},
            'int_health_commercial_measured': {'window': 'health', 'stored_day': 'snapshot_date'},
            'int_health_engagement_measured': {'window': 'health', 'stored_day': 'snapshot_date'},
            'int_health_sentiment_measured': {'window': 'health', 'stored_day': 'snapshot_date'},
        },
        'tables': [
            {'table': 'usage_events', 'window': 'usage', 'dated_by': 'occurred_at',
             'columns': ['event_id', 'account_id', 'user_id', 'occurred_at', 'feature', 'session_id'],
             'capped': []},
            {'table': 'accounts', 'window': 'health', 'dated_by': 'created_at',
             'columns': ['account_id', 'created_at', 'segment', 'csm_owner'], 'capped': []},
            {'table': 'fx_rates', 'window': 'health', 'dated_by': none,
             'columns': ['currency', 'rate_to_usd'], 'capped': []},
            {'table': 'subscription_line_items', 'window': 'health', 'dated_by': 'start_date',
             'columns': ['line_item_id', 'account_id', 'line_type', 'interval_months',
                         'start_date', 'quantity', 'unit_price', 'discount_pct', 'currency'],
             'capped': ['end_date']},
            {'table': 'invoices', 'window': 'health', 'dated_by': 'issued_at',
             'columns': ['invoice_id', 'account_id', 'issued_at', 'due_date'],
             'capped': ['paid_at', 'voided_at']},
            {'table': 'users', 'window': 'health', 'dated_by': 'created_at',
             'columns': ['user_id', 'account_id', 'role', 'created_at'],
             'capped': ['deactivated_at']},
            {'table': 'integrations', 'window': 'health', 'dated_by': 'connected_at',
             'columns': ['account_id', 'integration_name', 'connected_at'],
             'capped': ['disconnected_at']},
            {'table': 'support_tickets', 'window': 'health', 'dated_by': 'created_at',
             'columns': ['ticket_id', 'account_id', 'created_at', 'subject', 'body'],
             'capped': []},
            {'table': 'nps_responses', 'window': 'health', 'dated_by': 'responded_at',
             'columns': ['response_id', 'account_id', 'responded_at', 'score'], 'capped': []},
            {'table': 'feedback_items', 'window': 'health', 'dated_by': 'created_at',
             'columns': ['feedback_id', 'account_id', 'created_at', 'rating'], 'capped': []},
            {'table': 'crm_events', 'window': 'health', 'dated_by': 'occurred_at',
             'columns': ['crm_event_id', 'account_id', 'occurred_at', 'event_type'], 'capped': []},
            {'table': 'community_activity', 'window': 'health', 'dated_by': 'occurred_at',
             'columns': ['activity_id', 'account_id', 'occurred_at'], 'capped': []},
        ],
    }) }}
{% endmacro %}
