{#-
    Post-hook of the incremental health-snapshot models: delete the stored snapshot dates that
    are no longer in `snapshot_relation` (the previous run's as_of_date when it was not a
    Monday, or dates after an as_of_date moved back), so an incremental run holds the same dates
    as a full rebuild. On a full build it finds nothing to delete.

    On Spark the models are partitioned by the snapshot date (incremental_by_day_config) and a
    parquet table takes no `delete`: the stale dates are looked up and their partitions dropped.
-#}
{% macro delete_snapshots_not_in(snapshot_relation, snapshot_column='snapshot_date') -%}
    {{ return(adapter.dispatch('delete_snapshots_not_in', 'nrr_engine')(snapshot_relation, snapshot_column)) }}
{%- endmacro %}

{% macro default__delete_snapshots_not_in(snapshot_relation, snapshot_column) -%}
    delete from {{ this }}
    where {{ snapshot_column }} not in (
        select current_snapshots.{{ snapshot_column }}
        from {{ snapshot_relation }} as current_snapshots
    )
{%- endmacro %}

{% macro spark__delete_snapshots_not_in(snapshot_relation, snapshot_column) -%}
    {%- if execute -%}
        {%- set stale = run_query(
            "select distinct stored." ~ snapshot_column ~ " from " ~ this ~ " as stored"
            ~ " left anti join " ~ snapshot_relation ~ " as current_snapshots"
            ~ " on stored." ~ snapshot_column ~ " = current_snapshots." ~ snapshot_column) -%}
        {%- for row in stale.rows -%}
            {%- do run_query(
                "alter table " ~ this ~ " drop if exists partition (" ~ snapshot_column
                ~ " = '" ~ row[0] ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as stale_snapshots_dropped
{%- endmacro %}
