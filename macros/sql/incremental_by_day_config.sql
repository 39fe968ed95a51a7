{#-
    The incremental config of a model whose incremental run replaces whole days (the usage
    aggregates, the health snapshots, the day-checked raw events): `unique_key` the rows a run
    replaces, `day_column` the date they are replaced by (a run recomputes every row of each day
    it re-reads). Use as `config(materialized='incremental', **incremental_by_day_config(...))`.

    Default: `delete+insert` on unique_key, so each recomputed key replaces all of its rows
    (docs/definitions.md#incremental-runs). dbt-spark has no delete+insert: its variant may
    overwrite by day_column partitions instead, which replaces the same rows.
-#}
{% macro incremental_by_day_config(unique_key, day_column) %}
    {{ return(adapter.dispatch('incremental_by_day_config', 'nrr_engine')(unique_key, day_column)) }}
{% endmacro %}

{% macro default__incremental_by_day_config(unique_key, day_column) %}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{% endmacro %}
