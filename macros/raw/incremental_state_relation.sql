{#-
    The table that records what the warehouse's incremental state was built from:
    `audit.audit_incremental_state` (docs/definitions.md#incremental-runs). Written by the run's
    hooks, not a model: a model downstream of the incremental models would be skipped whenever
    one of them fails, and the record must follow every run that changed them.
-#}
{% macro incremental_state_relation() %}
    {{ return(api.Relation.create(
        database=target.database or none,
        schema=generate_schema_name('audit', none) | trim,
        identifier='audit_incremental_state',
    )) }}
{% endmacro %}
