"""fct_nrr_change_attribution recomputed in plain Python.

Definitions: docs/definitions.md#nrr-change-attribution.

On a generated book (seed 7, 1,000 accounts, 36 months) the two TTM NRR and GRR figures, their
change, the segment mix and rate parts, the expansion part and the total of the loss parts are
recomputed from the raw parquet files through the plain-Python ARR reference, and every
decomposition is checked to add up to the change.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from diagnosis_book import Arr, diagnosis_build, latest_complete_month, nrr_grr  # noqa: F401

from reference import arr_reference as ref

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def expected(diagnosis_build):  # noqa: F811
    arr = Arr(diagnosis_build.raw_path)
    as_of_month = latest_complete_month(arr.as_of)
    base_month = ref.add_months(as_of_month, -12)
    cohorts = {"base": arr.cohort(base_month), "as_of": arr.cohort(as_of_month)}
    return arr, base_month, as_of_month, cohorts


@pytest.fixture(scope="module")
def rows(diagnosis_build):  # noqa: F811
    return diagnosis_build.dicts("select * from diagnosis.fct_nrr_change_attribution")


def test_the_two_ttm_figures_and_their_change(expected, rows):
    _, base_month, as_of_month, cohorts = expected
    base_nrr, base_grr, _ = nrr_grr(cohorts["base"])
    as_of_nrr, as_of_grr, _ = nrr_grr(cohorts["as_of"])
    for metric, base, as_of in (("nrr", base_nrr, as_of_nrr), ("grr", base_grr, as_of_grr)):
        metric_rows = [r for r in rows if r["metric"] == metric]
        assert metric_rows, metric
        for row in metric_rows:
            assert row["base_month"] == base_month and row["as_of_month"] == as_of_month
            assert row["base_value"] == pytest.approx(base, abs=TOLERANCE)
            assert row["as_of_value"] == pytest.approx(as_of, abs=TOLERANCE)
            assert row["metric_change"] == pytest.approx(as_of - base, abs=TOLERANCE)
    print(f"\nTTM NRR {base_month} {base_nrr:.4f} -> {as_of_month} {as_of_nrr:.4f}; "
          f"GRR {base_grr:.4f} -> {as_of_grr:.4f}")  # fmt: skip


def test_every_decomposition_sums_exactly_to_the_change(rows):
    groups = defaultdict(list)
    for row in rows:
        groups[(row["metric"], row["decomposition"])].append(row)
    assert set(groups) == {(m, d) for m in ("nrr", "grr") for d in ("segment", "cause")}
    for key, parts in groups.items():
        change = parts[0]["metric_change"]
        assert sum(p["part_value"] for p in parts) == pytest.approx(change, abs=TOLERANCE), key


def _segment_parts(arr, cohorts, metric):
    """Mix and rate per segment, the interaction split half and half (independent recompute)."""
    sums = {}
    for role, cohort in cohorts.items():
        total = sum(s for s, _ in cohort.values())
        by_segment = defaultdict(lambda: [0.0, 0.0])
        for account, (start, end) in cohort.items():
            kept = end if metric == "nrr" else min(start, end)
            segment = arr.book.accounts[account]["segment"]
            by_segment[segment][0] += start
            by_segment[segment][1] += kept
        sums[role] = {seg: (s / total, k / s) for seg, (s, k) in by_segment.items()}
    parts = {}
    for segment in set(sums["base"]) | set(sums["as_of"]):
        w0, r0 = sums["base"].get(segment, (0.0, None))
        w1, r1 = sums["as_of"].get(segment, (0.0, None))
        r0 = r1 if r0 is None else r0
        r1 = r0 if r1 is None else r1
        parts[(segment, "mix")] = (w1 - w0) * (r0 + r1) / 2
        parts[(segment, "rate")] = (r1 - r0) * (w0 + w1) / 2
    return parts


@pytest.mark.parametrize("metric", ["nrr", "grr"])
def test_segment_mix_and_rate_parts(expected, rows, metric):
    arr, _, _, cohorts = expected
    parts = _segment_parts(arr, cohorts, metric)
    got = {
        (r["segment"], r["part_name"]): r["part_value"]
        for r in rows
        if r["metric"] == metric and r["decomposition"] == "segment"
    }
    assert set(got) == set(parts)
    for key, value in parts.items():
        assert got[key] == pytest.approx(value, abs=TOLERANCE), key
    base, _, _ = nrr_grr(cohorts["base"])
    as_of, _, _ = nrr_grr(cohorts["as_of"])
    if metric == "nrr":
        assert sum(parts.values()) == pytest.approx(as_of - base, abs=TOLERANCE)


def test_expansion_and_loss_parts(expected, rows):
    _, _, _, cohorts = expected
    shares = {}
    for role, cohort in cohorts.items():
        total = sum(s for s, _ in cohort.values())
        expansion = sum(max(e - s, 0) for s, e in cohort.values())
        loss = sum(max(s - e, 0) for s, e in cohort.values())
        shares[role] = (expansion / total, loss / total)
    cause = [r for r in rows if r["decomposition"] == "cause"]
    expansion_rows = [r for r in cause if r["part_name"] == "expansion"]
    assert [r["metric"] for r in expansion_rows] == ["nrr"]  # GRR zeroes expansion
    assert expansion_rows[0]["part_value"] == pytest.approx(
        shares["as_of"][0] - shares["base"][0], abs=TOLERANCE
    )
    for metric in ("nrr", "grr"):
        loss_parts = [r for r in cause if r["metric"] == metric and r["part_name"] != "expansion"]
        assert sum(r["part_value"] for r in loss_parts) == pytest.approx(
            shares["base"][1] - shares["as_of"][1], abs=TOLERANCE
        )
        assert {r["evidence_source"] for r in loss_parts} <= {
            "churn_survey", "crm_event", "onboarding", "line_items", "none",
        }  # fmt: skip
