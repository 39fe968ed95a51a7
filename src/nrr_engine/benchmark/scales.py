"""Benchmark scales and the targets each one is held to."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..generate.constants import DEFAULT_END_DATE, DEFAULT_MONTHS, DEFAULT_SEED

GB = 1_000_000_000


@dataclass(frozen=True)
class Target:
    """A limit on one measured figure: ``measured <= limit`` passes."""

    key: str  # the measured figure (a key of the run's `figures`)
    label: str
    limit: float | None = None  # a fixed limit (seconds, bytes) ...
    of: str | None = None  # ... or `multiple` x another figure
    multiple: float = 1.0

    def limit_value(self, figures: dict[str, float | None]) -> float | None:
        if self.of is None:
            return self.limit
        base = figures.get(self.of)
        return None if base is None else self.multiple * base


@dataclass(frozen=True)
class Scale:
    name: str
    accounts: int
    months: int = DEFAULT_MONTHS
    seed: int = DEFAULT_SEED
    end_date: str = DEFAULT_END_DATE
    targets: tuple[Target, ...] = field(default_factory=tuple)


SCALES: dict[str, Scale] = {
    "small": Scale(
        "small",
        accounts=1_000,
        targets=(Target("full_build_seconds", "full build <= 30 s", limit=30),),
    ),
    "medium": Scale("medium", accounts=10_000),
    "large": Scale(
        "large",
        accounts=100_000,
        targets=(
            Target("full_build_seconds", "full build <= 120 s", limit=120),
            Target(
                "full_build_seconds", "full build <= 3x the floor", of="floor_seconds", multiple=3
            ),
            Target("incremental_seconds", "incremental run <= 15 s", limit=15),
            Target("peak_rss_bytes", "peak RSS of dbt <= 6 GB", limit=6 * GB),
            Target(
                "revenue_core_dbt_seconds",
                "revenue core <= 2x hand-written + dbt start-up",
                of="revenue_core_budget_seconds",
            ),
        ),
    ),
}
