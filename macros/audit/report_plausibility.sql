{#-
    on-run-end hook: logs the detail of every flagged plausibility check
    (audit.audit_data_plausibility, docs/definitions.md#plausibility) on the console, when that
    model was built in this run. Logging only: it never fails a build, and when the model was
    not built (for example `dbt build -s some_model`, `dbt seed`) it does nothing.
    Example: `on-run-end: ["{{ report_plausibility(results) }}"]`
-#}
{% macro report_plausibility(results) %}
    {%- if execute -%}
        {%- for result in results
            if result.node.resource_type == 'model'
            and result.node.name == 'audit_data_plausibility'
            and result.status == 'success' -%}
            {%- set flagged = run_query(
                'select check_name, detail from ' ~ result.node.relation_name
                ~ ' where is_flagged order by check_name'
            ) -%}
            {%- for row in flagged.rows -%}
                {{ log('Plausibility warning: ' ~ row[0] ~ ': ' ~ row[1], info=True) }}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
