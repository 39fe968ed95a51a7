"""Band performance recomputed in plain Python (docs/definitions.md#band-performance).

A generated book with a seed other than the demo's is built; every figure of
`health.fct_health_band_performance` and `health.fct_health_band_targets` is then recomputed
from the warehouse's snapshot table (`health.fct_account_health`: account, date, score, band)
and the raw line items (paid periods, churn dates and churned ARR through the plain-Python ARR
reference, which shares no code with the SQL), and compared. The three target figures are
printed (`pytest -s`); they are not asserted to meet their targets: measuring them is the point.
The anchoring of the score (docs/definitions.md#health-score-anchoring) is recomputed too, from
the weighted composite and the plain-Python paid periods; and the calibration's claims are
checked on this book (the calibrated score beats the prior, the planted drivers rank on top).
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
import yaml

from conftest import REPO, Build, build_ok, generate_book
from planted_drivers import assert_calibrated_beats_prior, assert_planted_drivers_rank_on_top
from reference import arr_reference as ref

BOOK = {"accounts": 1000, "months": 36, "seed": 13}
SELECT = [
    "--select",
    "+fct_account_health",
    "+fct_health_band_performance",
    "+fct_health_band_targets",
    # the calibration's claims on this book (tests/python/calibration/test_calibration_claims)
    "+fct_health_backtest",
    "+fct_calibrated_health_weights",
    # only the tests whose every parent is built (not the relationships to revenue marts)
    "--indirect-selection",
    "cautious",
]
SHARE_TOLERANCE = 1e-6  # the marts' ratios are exact decimals with six places


def project_vars() -> dict:
    with open(REPO / "dbt_project.yml") as f:
        return yaml.safe_load(f)["vars"]


def seed_bands() -> dict[str, dict]:
    with open(REPO / "seeds" / "health_bands.csv", newline="") as f:
        return {row["band"]: row for row in csv.DictReader(f)}


def paid_periods(book: ref.Book, as_of: dt.date) -> list[tuple[str, dt.date, dt.date | None]]:
    """(account, start, end) of each unbroken stretch of paid recurring lines; end None = open.

    Lines that start after as_of are unknown; an end after as_of is not yet an end. Touching or
    overlapping lines merge (a line starting the day another ends continues the period).
    """
    by_account: dict[str, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for li in book.line_items:
        if li.line_type != "recurring" or li.start_date > as_of or ref.line_arr(book, li) <= 0:
            continue
        end = None if li.end_date is None or li.end_date > as_of else li.end_date
        by_account[li.account_id].append((li.start_date, end))
    periods = []
    for account, spans in by_account.items():
        spans.sort(key=lambda s: (s[0], s[1] or dt.date.max))
        start, end = spans[0]
        for s_start, s_end in spans[1:]:
            if end is not None and s_start > end:
                periods.append((account, start, end))
                start, end = s_start, s_end
            elif end is not None:
                end = None if s_end is None else max(end, s_end)
        periods.append((account, start, end))
    return periods


def arr_on(book: ref.Book, account: str, day: dt.date) -> Decimal:
    total = sum(
        (
            ref.line_arr(book, li)
            for li in book.line_items
            if li.account_id == account
            and li.line_type == "recurring"
            and ref.is_active_on(li, day)
            and ref.line_arr(book, li) > 0
        ),
        Decimal(0),
    )
    return ref.round_cents(total)


def expected_figures(snapshots: list[dict], book: ref.Book, as_of: dt.date) -> dict:
    """Every figure of both marts, from the snapshot rows and the raw book."""
    settings = project_vars()
    bands = seed_bands()
    flag_band = settings["health_flag_band"]
    flag_below = float(bands[flag_band]["upper_score"])
    flag_order = int(bands[flag_band]["band_order"])
    min_lead, max_lead = (
        settings["health_flag_min_lead_days"],
        settings["health_flag_max_lead_days"],
    )
    horizon = dt.timedelta(days=settings["health_band_churn_horizon_days"])
    periods = paid_periods(book, as_of)
    periods_of: dict[str, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for account, start, end in periods:
        periods_of[account].append((start, end))

    # median week
    weekly: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in snapshots:
        if row["snapshot_date"].weekday() == 0:
            weekly[row["snapshot_date"]][row["band"]] += 1
    figures = {band: {} for band in bands}
    flagged_shares = []
    for counts in weekly.values():
        total = sum(counts.values())
        flagged = sum(
            n for band, n in counts.items() if bands[band]["band_order"] and
            int(bands[band]["band_order"]) <= flag_order
        )  # fmt: skip
        flagged_shares.append(flagged / total)
    for band in bands:
        counts = [weekly[d].get(band, 0) for d in weekly]
        shares = [weekly[d].get(band, 0) / sum(weekly[d].values()) for d in weekly]
        figures[band]["weeks"] = len(counts)
        figures[band]["median_week_accounts"] = statistics.median(counts) if counts else None
        figures[band]["median_week_account_share"] = statistics.median(shares) if shares else None

    # churn within the horizon
    known = defaultdict(int)
    churned = defaultdict(int)
    for row in snapshots:
        day = row["snapshot_date"]
        containing = [
            end for start, end in periods_of[row["account_id"]]
            if start <= day and (end is None or day < end)
        ]  # fmt: skip
        assert len(containing) == 1, (row, containing)
        end = containing[0]
        is_churned = end is not None and end <= day + horizon
        if is_churned or day + horizon <= as_of:
            known[row["band"]] += 1
            churned[row["band"]] += is_churned
    for band in bands:
        figures[band]["outcome_known_snapshots"] = known[band]
        figures[band]["churned_snapshots"] = churned[band]
        figures[band]["churn_rate"] = churned[band] / known[band] if known[band] else None

    # first flags of churn events
    by_account: dict[str, list[dict]] = defaultdict(list)
    for row in snapshots:
        by_account[row["account_id"]].append(row)
    events = []
    for account, start, end in periods:
        if end is None:
            continue
        window = sorted(
            (
                row for row in by_account[account]
                if start <= row["snapshot_date"] < end
                and min_lead <= (end - row["snapshot_date"]).days <= max_lead
                and row["composite_score"] is not None
                and row["composite_score"] < flag_below
            ),
            key=lambda row: row["snapshot_date"],
        )  # fmt: skip
        first = window[0] if window else None
        events.append(
            {
                "arr": arr_on(book, account, end - dt.timedelta(days=1)),
                "band": first["band"] if first else None,
                "lead": (end - first["snapshot_date"]).days if first else None,
            }
        )
    churned_arr = sum((e["arr"] for e in events), Decimal(0))
    for band in bands:
        mine = [e for e in events if e["band"] == band]
        arr = sum((e["arr"] for e in mine), Decimal(0))
        figures[band]["first_flagged_churn_events"] = len(mine)
        figures[band]["first_flagged_churned_arr"] = arr
        figures[band]["first_flagged_churned_arr_share"] = (
            float(arr / churned_arr) if churned_arr else None
        )
        figures[band]["median_lead_days"] = (
            statistics.median(e["lead"] for e in mine) if mine else None
        )

    flagged_arr = sum((e["arr"] for e in events if e["band"]), Decimal(0))
    scored = sorted((b for b in bands if bands[b]["band_order"]), key=lambda b: -int(
        bands[b]["band_order"]))  # fmt: skip
    rates = [figures[b]["churn_rate"] for b in scored]
    rising = sum(
        1 for better, worse in zip(rates, rates[1:], strict=False)
        if better is not None and worse is not None and worse > better
    )  # fmt: skip
    targets = {
        "flagged_churned_arr_share": float(flagged_arr / churned_arr) if churned_arr else None,
        "median_week_flagged_account_share": statistics.median(flagged_shares),
        "churn_rate_rising_pairs": rising,
        "band_pairs": len(scored) - 1,
        "churn_events": len(events),
        "flagged_churn_events": sum(1 for e in events if e["band"]),
    }
    return {"bands": figures, "targets": targets}


@pytest.fixture(scope="module")
def band_build(tmp_path_factory) -> Build:
    raw = generate_book(tmp_path_factory.mktemp("band_book") / "raw", **BOOK)
    return build_ok(tmp_path_factory.mktemp("band_build"), raw, extra_args=SELECT)


@pytest.fixture(scope="module")
def expected(band_build) -> dict:
    snapshots = band_build.dicts(
        "select account_id, snapshot_date, composite_score, band from health.fct_account_health"
    )
    book = ref.load_book(band_build.raw_path)
    as_of = band_build.query(
        "select snapshot_date from health.fct_account_health where is_as_of_date limit 1"
    )[0][0]
    assert as_of == ref.default_as_of_date(book)
    return expected_figures(snapshots, book, as_of)


def close(measured, expected_value, tolerance=SHARE_TOLERANCE) -> bool:
    if measured is None or expected_value is None:
        return measured is None and expected_value is None
    return abs(float(measured) - float(expected_value)) <= tolerance


def test_book_has_enough_churn_to_judge(expected):
    # with fewer than 30 churn events one account moves the flagged share by 3 points or more
    assert expected["targets"]["churn_events"] >= project_vars()["calibration_min_churn_events"]


def test_every_band_figure_equals_the_plain_python_computation(band_build, expected):
    rows = {row["band"]: row for row in band_build.dicts(
        "select * from health.fct_health_band_performance")}  # fmt: skip
    assert set(rows) == set(seed_bands())
    for band, want in expected["bands"].items():
        got = rows[band]
        for column in ("weeks", "outcome_known_snapshots", "churned_snapshots",
                       "first_flagged_churn_events"):  # fmt: skip
            assert got[column] == want[column], (band, column, got[column], want[column])
        assert got["first_flagged_churned_arr"] == want["first_flagged_churned_arr"], band
        for column in ("median_week_accounts", "median_week_account_share", "churn_rate",
                       "first_flagged_churned_arr_share", "median_lead_days"):  # fmt: skip
            assert close(got[column], want[column]), (band, column, got[column], want[column])
    # the bands that are flags hold every flagged churn, the others none
    for band, got in rows.items():
        if not got["is_flag_band"]:
            assert got["first_flagged_churn_events"] == 0, band


def test_targets_equal_the_plain_python_computation_and_are_printed(band_build, expected):
    rows = {row["target_name"]: row for row in band_build.dicts(
        "select * from health.fct_health_band_targets")}  # fmt: skip
    settings = project_vars()
    want = expected["targets"]
    arr_share = rows["flagged_churned_arr_share"]
    assert close(arr_share["measured_value"], want["flagged_churned_arr_share"])
    assert arr_share["target_value"] == settings["health_band_target_min_flagged_churned_arr_share"]
    assert arr_share["is_met"] == (want["flagged_churned_arr_share"] >= arr_share["target_value"])
    account_share = rows["median_week_flagged_account_share"]
    assert close(account_share["measured_value"], want["median_week_flagged_account_share"], 1e-9)
    assert account_share["target_value"] == settings["health_band_target_max_flagged_account_share"]
    assert account_share["is_met"] == (
        want["median_week_flagged_account_share"] <= account_share["target_value"]
    )
    monotonic = rows["churn_rate_rising_pairs"]
    assert monotonic["measured_value"] == want["churn_rate_rising_pairs"]
    assert monotonic["target_value"] == want["band_pairs"] == 4
    assert monotonic["is_met"] == (want["churn_rate_rising_pairs"] == want["band_pairs"])

    print(f"\nBand targets, generated book {BOOK}:")
    for name, row in rows.items():
        print(
            f"  {name}: {row['measured_value']:.4f} (target {row['target_rule']} "
            f"{row['target_value']}, met: {row['is_met']}) - {row['basis']}"
        )


def interpolated_quantile(bins: Counter, total: int, share: float) -> float:
    """The value below which `share` of the snapshots lie, each whole-point bin's snapshots
    spread evenly over its point."""
    wanted = share * total
    below = 0
    for point in sorted(bins):
        if below + bins[point] >= wanted:
            return min(100.0, point + (wanted - below) / bins[point])
        below += bins[point]
    raise AssertionError("share above 1")


def expected_anchored_scores(rows: list[dict], book: ref.Book, as_of: dt.date) -> dict:
    """(account, date) -> (anchor scope, score), recomputed from the weighted composite."""
    settings = project_vars()
    horizon = dt.timedelta(days=settings["health_band_churn_horizon_days"])
    lookback = dt.timedelta(days=settings["health_anchor_lookback_days"])
    minimum = settings["health_anchor_min_retained_snapshots"]
    knots = sorted(
        (float(band["lower_score"]), float(band["anchor_retained_quantile"]))
        for band in seed_bands().values()
        if band["anchor_retained_quantile"]
    )
    periods_of: dict[str, list] = defaultdict(list)
    for account, start, end in paid_periods(book, as_of):
        periods_of[account].append((start, end))

    def still_paying_after_horizon(account: str, day: dt.date) -> bool:
        for start, end in periods_of[account]:
            if start <= day and (end is None or day < end):
                return end is None or end > day + horizon
        return False

    retained: dict[tuple[dt.date, str], Counter] = defaultdict(Counter)
    for row in rows:
        if row["weighted_score"] is not None and still_paying_after_horizon(
            row["account_id"], row["snapshot_date"]
        ):
            retained[row["snapshot_date"], row["segment"]][int(row["weighted_score"] // 1)] += 1

    def anchors(day: dt.date, segment: str | None) -> list[tuple[float, float]] | None:
        bins: Counter = Counter()
        for (snapshot_day, snapshot_segment), counts in retained.items():
            if (segment is None or snapshot_segment == segment) and (
                day - horizon - lookback <= snapshot_day < day - horizon
            ):
                bins.update(counts)
        total = sum(bins.values())
        if total < minimum:
            return None
        points = [(interpolated_quantile(bins, total, share), lower) for lower, share in knots]
        return [(0.0, 0.0), *points, (100.0, 100.0)]

    def mapped(points: list[tuple[float, float]], weighted: float) -> float:
        for (x_low, y_low), (x_high, y_high) in zip(points, points[1:], strict=False):
            if x_low <= weighted < x_high or (y_high == 100 and x_low <= weighted <= x_high):
                return y_low + (weighted - x_low) * (y_high - y_low) / (x_high - x_low)
        raise AssertionError(f"{weighted} outside {points}")

    cache: dict = {}
    scores = {}
    for row in rows:
        key = (row["snapshot_date"], row["segment"])
        if key not in cache:
            own = anchors(*key)
            cache[key] = (row["segment"], own) if own else ("book", anchors(key[0], None))
        scope, points = cache[key]
        if points is None:
            scope = "none"
        weighted = row["weighted_score"]
        if weighted is None:
            score = None
        elif points is None:
            score = weighted
        else:
            score = round(mapped(points, weighted), 2)
        scores[row["account_id"], row["snapshot_date"]] = (scope, score)
    return scores


def test_anchored_score_equals_the_plain_python_anchoring(band_build):
    rows = band_build.dicts(
        "select account_id, snapshot_date, segment, weighted_score, composite_score, anchor_scope"
        " from health.fct_account_health"
    )
    book = ref.load_book(band_build.raw_path)
    want = expected_anchored_scores(rows, book, ref.default_as_of_date(book))
    scopes = Counter()
    for row in rows:
        scope, score = want[row["account_id"], row["snapshot_date"]]
        scopes[scope] += 1
        assert row["anchor_scope"] == scope, (row, scope)
        if score is None:
            assert row["composite_score"] is None, row
        else:
            # both round to cents; a half-cent tie may round apart
            assert abs(row["composite_score"] - score) <= 0.0101, (row, score)
    # the book is long enough that most snapshots are anchored on their own segment
    own_segment = sum(n for scope, n in scopes.items() if scope not in ("none", "book"))
    assert own_segment > len(rows) / 2, scopes


def test_the_calibrated_score_beats_the_prior_on_this_book(band_build):
    assert_calibrated_beats_prior(band_build, f"band book {BOOK}")


def test_planted_drivers_rank_on_top_on_this_book(band_build):
    # the rare payment-failure driver's sign is checked on the demo book only
    assert_planted_drivers_rank_on_top(band_build, rare_driver_direction=False)
