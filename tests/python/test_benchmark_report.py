"""The benchmark report lists every mart, by domain, beside the ten slowest models (issue 16)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nrr_engine.benchmark.cli import marts_by_domain
from nrr_engine.benchmark.dbt_runs import DbtRun


def a_run(paths: dict[str, str], seconds: dict[str, float]) -> DbtRun:
    return DbtRun(
        command=["dbt", "build"], returncode=0, wall_seconds=1.0,
        started_at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC), peak_rss_bytes=None,
        rss_method="none", log_file=Path("dbt.log"),
        run_results={"results": [
            {"unique_id": uid, "execution_time": s, "status": "success"}
            for uid, s in seconds.items()
        ]},
        manifest={"nodes": {
            uid: {"resource_type": "model", "original_file_path": path}
            for uid, path in paths.items()
        }},
    )  # fmt: skip


def test_each_mart_is_listed_under_its_domain_slowest_first():
    run = a_run(
        {
            "model.p.fct_a": "models/marts/revenue/fct_a.sql",
            "model.p.fct_b": "models/marts/revenue/fct_b.sql",
            "model.p.fct_c": "models/marts/onboarding/fct_c.sql",
            "model.p.fct_d": "models/marts/onboarding/fct_d.sql",
            "model.p.int_e": "models/intermediate/onboarding/int_e.sql",
        },
        {"model.p.fct_a": 0.5, "model.p.fct_b": 2.25, "model.p.fct_c": 1.0, "model.p.int_e": 9.0},
    )
    found = marts_by_domain(run, run.model_times())
    assert found == {
        "onboarding": [
            {"unique_id": "model.p.fct_c", "execution_time": 1.0},
            # built by another run (a selector): listed, without a time
            {"unique_id": "model.p.fct_d", "execution_time": None},
        ],
        "revenue": [
            {"unique_id": "model.p.fct_b", "execution_time": 2.25},
            {"unique_id": "model.p.fct_a", "execution_time": 0.5},
        ],
    }
