{#-
    int_health_snapshot_windows_listed stops its day series at a fixed length (three years): a
    window of seeds/health_signal_windows.csv that reaches further back would lose its oldest
    days without a word. Fails with the windows the spine does not cover (only when there are
    snapshots to check).
-#}
with

spine as (
    select max(days_before) as max_days_before
    from {{ ref('int_health_snapshot_windows_listed') }}
),

signal_windows as (
    select * from {{ ref('health_signal_windows') }}
)

select
    signal_windows.window_name,
    spine.max_days_before,
    signal_windows.days + signal_windows.offset_days as days_back
from signal_windows
cross join spine
where spine.max_days_before is not null
    and signal_windows.days + signal_windows.offset_days > spine.max_days_before
