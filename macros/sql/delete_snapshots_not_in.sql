{#-
    Post-hook of the incremental health-snapshot models: delete the stored snapshot dates that
    are no longer in `snapshot_relation` (the previous run's as_of_date when it was not a
    Monday, or dates after an as_of_date moved back), so an incremental run holds the same dates
    as a full rebuild. On a full build it finds nothing to delete.
-#}
{% macro delete_snapshots_not_in(snapshot_relation, snapshot_column='snapshot_date') -%}
    delete from {{ this }}
    where {{ snapshot_column }} not in (
        select current_snapshots.{{ snapshot_column }}
        from {{ snapshot_relation }} as current_snapshots
    )
{%- endmacro %}
