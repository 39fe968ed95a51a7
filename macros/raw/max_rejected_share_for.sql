{#-
    The rejected share above which raw `table` fails the build: its entry in the var
    `max_rejected_share_by_table`, else the var `max_rejected_share` (docs/definitions.md#bad-input).
    The scheduled run reads the same two vars (nrr_engine.quality.raw_suites).
-#}
{% macro max_rejected_share_for(table) %}
    {%- set by_table = var('max_rejected_share_by_table', none) or {} -%}
    {%- set limit = by_table.get(table) -%}
    {{ return(limit if limit is not none else var('max_rejected_share')) }}
{% endmacro %}
