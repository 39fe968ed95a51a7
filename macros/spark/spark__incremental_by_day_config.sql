{#-
    Spark variant of incremental_by_day_config (macros/sql/incremental_by_day_config.sql):
    dbt-spark offers no delete+insert, and its parquet tables take no `delete`. The table is
    partitioned by `day_column` and an incremental run overwrites the partitions of the days it
    recomputes (`insert_overwrite` with Spark's dynamic partition overwrite): each day in the
    new rows replaces all of its stored rows, every other day is kept, which is what
    delete+insert on `unique_key` does when each re-read day is recomputed whole (the models
    that use this macro re-read whole days, so unique_key is not needed here).
-#}
{% macro spark__incremental_by_day_config(unique_key, day_column) %}
    {{ return({
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [day_column],
        'file_format': 'parquet',
    }) }}
{% endmacro %}
