"""The generated book both diagnosis test files read (test_attribution, test_scorecard): seed 7,
1,000 accounts over 36 months, built once per session up to the diagnosis marts, and the
plain-Python ARR reference (reference/arr_reference.py, no code shared with the SQL) on the
same raw files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import yaml

from conftest import REPO, Build, build_ok, generate_book, made_once
from reference import arr_reference as ref

BOOK = {"accounts": 1000, "months": 36, "seed": 7}
SELECT = [
    "--select",
    "+fct_nrr_change_attribution",
    "+fct_key_metrics_scorecard",
    # only the tests whose every parent is built (not the relationships to unbuilt marts)
    "--indirect-selection",
    "cautious",
]


def _make(folder: Path) -> Build:
    raw = generate_book(folder / "raw", BOOK["accounts"], BOOK["months"], seed=BOOK["seed"])
    return build_ok(folder / "build", raw, extra_args=SELECT)


_BUILT: list[Build] = []


@pytest.fixture(scope="session")
def diagnosis_build(tmp_path_factory, worker_id) -> Build:
    # imported into two test files, this is two fixtures to pytest: the list keeps one build
    # per process (made_once shares it between xdist workers)
    if not _BUILT:
        _BUILT.append(made_once(tmp_path_factory, worker_id, "diagnosis_seed7", _make))
    return _BUILT[0]


def project_vars() -> dict:
    with open(REPO / "dbt_project.yml") as f:
        return yaml.safe_load(f)["vars"]


def seed_rows(name: str) -> dict[str, dict]:
    with open(REPO / "seeds" / f"{name}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {row[next(iter(row))]: row for row in rows}


def latest_complete_month(as_of: dt.date) -> dt.date:
    """The month of as_of when as_of is its last day, else the month before."""
    month = ref.month_start(as_of)
    return month if as_of == ref.month_end(month) else ref.add_months(month, -1)


class Arr:
    """Account ARR at each month snapshot, from the raw line items (the reference)."""

    def __init__(self, raw_path: Path):
        self.book = ref.load_book(raw_path)
        self.as_of = ref.default_as_of_date(self.book)
        self.by_account_month = ref.account_month_arr(self.book, self.as_of)
        self.accounts = sorted({a for a, _ in self.by_account_month})

    def get(self, account: str, month: dt.date) -> float:
        return self.by_account_month.get((account, month), 0.0)

    def cohort(self, as_of_month: dt.date, window: int = 12) -> dict[str, tuple[float, float]]:
        """Accounts with ARR at the window start, with (starting, ending) ARR."""
        start = ref.add_months(as_of_month, -window)
        return {
            a: (self.get(a, start), self.get(a, as_of_month))
            for a in self.accounts
            if self.get(a, start) > 0
        }

    def snapshot_date(self, month: dt.date) -> dt.date:
        return self.as_of if month == ref.month_start(self.as_of) else ref.month_end(month)


def nrr_grr(cohort: dict[str, tuple[float, float]]) -> tuple[float, float, float]:
    """NRR, GRR and logo retention of a cohort (docs/definitions.md#retention)."""
    start = sum(s for s, _ in cohort.values())
    nrr = sum(e for _, e in cohort.values()) / start
    grr = sum(min(s, e) for s, e in cohort.values()) / start
    logo = sum(1 for _, e in cohort.values() if e > 0) / len(cohort)
    return nrr, grr, logo
