"""Plausibility checks (docs/definitions.md#plausibility) on a RavenStack-like book and a clean one.

A generated book is edited with pyarrow into what the RavenStack export looked like: identical
open recurring lines stacked on many accounts, no churn in the latest year although churn surveys
keep arriving, usage events naming features outside the catalogue, and usage from an account
without a single line item. Every expected figure is computed here in plain Python from the files
written (ARR through the independent reference implementation), never from the SQL.

The builds select the plausibility mart and the marts the headline reads (with their tests):
the health and calibration models have nothing to say about these checks.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, Build, generate_book, run_dbt
from nrr_engine.report import caveats, headline
from reference import arr_reference as ref

AS_OF = dt.date(2026, 10, 31)  # the generator's default end date, passed as the var
SELECT = [
    "--select", "+audit_data_plausibility", "+fct_net_revenue_retention", "+fct_arr_waterfall",
    "--indirect-selection", "cautious",
]  # fmt: skip
CHECKS = [
    "churn_surveys_without_revenue_churn",
    "identical_open_recurring_lines",
    "ttm_nrr_above_limit",
    "full_logo_retention_over_a_year",
    "usage_by_accounts_without_revenue",
    "usage_features_not_in_catalogue",
]
RATIO_TOLERANCE = 1e-6  # the mart's shares pass through decimal(12, 6)

# what the RavenStack-like edits add
STACKED_COPIES = 3  # identical copies added to the largest open line of 2 accounts in 3
UNKNOWN_FEATURES = {"rs_board_export": 500, "rs_sso_login": 300, "rs_ai_summary": 100}
ADDED_SURVEYS = 30
ACCOUNT_WITHOUT_LINES = "A_NO_LINES"


def project_vars() -> dict:
    return yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]


def read(raw: Path, table: str) -> list[dict]:
    return pq.read_table(raw / f"{table}.parquet").to_pylist()


def write(raw: Path, table: str, rows: list[dict]) -> None:
    schema = pq.read_schema(raw / f"{table}.parquet")
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), raw / f"{table}.parquet")


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def is_open(line: dict, day: dt.date) -> bool:
    return line["start_date"] <= day and (line["end_date"] is None or line["end_date"] > day)


# --------------------------------------------------------------------------------------------
# Expected figures, in plain Python over the raw files
# --------------------------------------------------------------------------------------------


def expected_checks(raw: Path) -> dict[str, dict]:
    """Per check: observed value, affected accounts, flag, and facts its detail must name."""
    v = project_vars()
    book = ref.load_book(raw)
    lines = [li for li in read(raw, "subscription_line_items") if li["line_type"] == "recurring"]
    events = [e for e in read(raw, "usage_events") if _day(e["occurred_at"]) <= AS_OF]
    surveys = [s for s in read(raw, "churn_surveys") if _day(s["submitted_at"]) <= AS_OF]
    with (REPO / "seeds" / "feature_catalogue.csv").open(newline="") as fh:
        catalogue = {row["feature"] for row in csv.DictReader(fh)}

    def share(part, whole):
        return part / whole if whole else None

    out = {}

    churned = {m["account_id"] for m in ref.movements(book, AS_OF) if m["movement_type"] == "churn"}
    surveyed = {s["account_id"] for s in surveys}
    without_churn = surveyed - churned
    observed = share(len(without_churn), len(surveyed))
    out["churn_surveys_without_revenue_churn"] = {
        "observed": observed,
        "affected": len(without_churn),
        "flagged": observed is not None
        and observed > v["plausibility_max_survey_without_churn_share"],
        "facts": [f"{len(without_churn)} of {len(surveyed)} accounts with a churn survey"],
    }

    groups = Counter(
        (li["account_id"], li["product"], li["plan"], li["unit_price"], li["quantity"],
         li["discount_pct"], li["currency"], li["interval_months"])
        for li in lines if is_open(li, AS_OF)
    )  # fmt: skip
    largest = defaultdict(int)
    for key, count in groups.items():
        largest[key[0]] = max(largest[key[0]], count)
    stacked = {a for a, n in largest.items() if n >= 2}
    observed = share(len(stacked), len(largest))
    out["identical_open_recurring_lines"] = {
        "observed": observed,
        "affected": len(stacked),
        "flagged": observed > v["plausibility_max_stacked_line_account_share"],
        "facts": (
            [f"{len(stacked)} of {len(largest)} accounts", f"the worst has {max(largest.values())}"]
            if stacked
            else []
        ),
    }

    ttm = ref.retention(book, AS_OF, 12)
    judged = [r for r in ttm if r["cohort_customers"] >= v["plausibility_min_cohort_accounts"]]
    highest = max(judged, key=lambda r: (r["nrr"], r["as_of_month"]))
    arr = ref.account_month_arr(book, AS_OF)
    start, end = ref.add_months(highest["as_of_month"], -12), highest["as_of_month"]
    outgrew = [
        a
        for (a, month), starting in arr.items()
        if month == start
        and starting > 0
        and arr[(a, end)] > v["plausibility_max_ttm_nrr"] * starting
    ]
    out["ttm_nrr_above_limit"] = {
        "observed": highest["nrr"],
        "affected": len(outgrew),
        "flagged": highest["nrr"] > v["plausibility_max_ttm_nrr"],
        "facts": [f"at {highest['as_of_month']:%Y-%m} (cohort of {highest['cohort_customers']}"],
    }

    latest = max(ttm, key=lambda r: r["as_of_month"])
    full = latest["logo_retention"] == 1
    out["full_logo_retention_over_a_year"] = {
        "observed": latest["logo_retention"],
        "affected": latest["cohort_customers"] if full else 0,
        "flagged": full and latest["cohort_customers"] >= v["plausibility_min_cohort_accounts"],
        "facts": [f"{latest['retained_customers']} of {latest['cohort_customers']} cohort"],
    }

    with_arr = {a for (a, _), amount in arr.items() if amount > 0}
    unbilled = Counter(e["account_id"] for e in events if e["account_id"] not in with_arr)
    observed = share(sum(unbilled.values()), len(events))
    out["usage_by_accounts_without_revenue"] = {
        "observed": observed,
        "affected": len(unbilled),
        "flagged": observed > v["plausibility_max_unbilled_usage_share"],
        "facts": [f"{sum(unbilled.values())} of {len(events)} usage events"],
    }

    unknown = Counter(e["feature"] for e in events if e["feature"] not in catalogue)
    observed = share(sum(unknown.values()), len(events))
    named = sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))
    out["usage_features_not_in_catalogue"] = {
        "observed": observed,
        "affected": len({e["account_id"] for e in events if e["feature"] not in catalogue}),
        "flagged": observed > v["plausibility_max_unknown_feature_share"],
        "facts": [f"{f} ({n})" for f, n in named[: v["plausibility_features_named"]]],
    }
    return out


# --------------------------------------------------------------------------------------------
# The RavenStack-like edits
# --------------------------------------------------------------------------------------------


def make_ravenstack_like(raw: Path) -> dict:
    """Edit a generated book in place; returns what was added, for the assertions."""
    window_start = dt.date(AS_OF.year - 1, AS_OF.month, 1)  # start of the latest TTM window

    # 1. no churn in the latest year: every recurring line still running at the latest window's
    #    start never ends (as RavenStack's open subscriptions); earlier churn stays
    lines = read(raw, "subscription_line_items")
    for li in lines:
        if li["line_type"] == "recurring" and li["end_date"] and li["end_date"] >= window_start:
            li["end_date"] = None

    # 2. identical copies of the largest open line, on 2 accounts in 3, started inside the window
    open_paid = defaultdict(list)
    for li in lines:
        if li["line_type"] == "recurring" and li["unit_price"] > 0 and is_open(li, AS_OF):
            open_paid[li["account_id"]].append(li)
    stacked_accounts = [a for i, a in enumerate(sorted(open_paid)) if i % 3 != 2]
    for account_id in stacked_accounts:
        largest = max(open_paid[account_id], key=lambda li: (li["quantity"] * li["unit_price"],
                                                             li["line_item_id"]))  # fmt: skip
        for k in range(STACKED_COPIES):
            lines.append(
                {
                    **largest,
                    "line_item_id": f"{largest['line_item_id']}_copy{k}",
                    "start_date": max(largest["start_date"], AS_OF - dt.timedelta(days=60)),
                }
            )
    write(raw, "subscription_line_items", lines)

    # 3. exit surveys from accounts that never churned in the book
    surveys = read(raw, "churn_surveys")
    surveyed = {s["account_id"] for s in surveys}
    never_ended = {a for a in open_paid if a not in surveyed}
    for i, account_id in enumerate(sorted(never_ended)[:ADDED_SURVEYS]):
        surveys.append(
            {
                **surveys[0],
                "survey_id": f"CSX{i:05d}",
                "account_id": account_id,
                "submitted_at": dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC),
            }
        )
    write(raw, "churn_surveys", surveys)

    # 4. events naming features outside the catalogue, on existing accounts
    events = read(raw, "usage_events")
    base_events = len(events)
    template = iter(events[: sum(UNKNOWN_FEATURES.values())])
    added = []
    for feature, count in UNKNOWN_FEATURES.items():
        for _ in range(count):
            added.append({**next(template), "feature": feature})

    # 5. an account with no line item at all, and a tenth of the book's usage
    accounts = read(raw, "accounts")
    accounts.append({**accounts[0], "account_id": ACCOUNT_WITHOUT_LINES})
    write(raw, "accounts", accounts)
    unbilled_events = base_events // 10
    added += [
        {**events[i % base_events], "account_id": ACCOUNT_WITHOUT_LINES}
        for i in range(unbilled_events)
    ]
    for i, event in enumerate(added):
        event["event_id"] = f"EX{i:09d}"
    write(raw, "usage_events", events + added)
    return {"stacked_accounts": stacked_accounts, "unbilled_events": unbilled_events}


# --------------------------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_book(tmp_path_factory) -> Path:
    return generate_book(tmp_path_factory.mktemp("plausibility") / "clean", 200, 24, seed=23)


@pytest.fixture(scope="module")
def ravenstack_like(tmp_path_factory, base_book) -> tuple[Build, dict]:
    raw = tmp_path_factory.mktemp("plausibility_rs") / "raw"
    shutil.copytree(base_book, raw)
    added = make_ravenstack_like(raw)
    build = run_dbt(
        raw.parent / "build", raw, dbt_vars={"as_of_date": str(AS_OF)}, extra_args=SELECT
    )
    assert build.returncode == 0, build.output[-6000:]
    return build, added


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory, base_book) -> Build:
    build = run_dbt(
        tmp_path_factory.mktemp("plausibility_clean"),
        base_book,
        dbt_vars={"as_of_date": str(AS_OF)},
        extra_args=SELECT,
    )
    assert build.returncode == 0, build.output[-6000:]
    return build


def mart_rows(build: Build) -> dict[str, dict]:
    rows = build.dicts("select * from audit.audit_data_plausibility")
    return {row["check_name"]: row for row in rows}


def assert_matches(actual: dict, expected: dict) -> None:
    name = actual["check_name"]
    assert actual["observed_value"] == pytest.approx(expected["observed"], abs=RATIO_TOLERANCE), (
        name
    )
    assert actual["is_flagged"] == expected["flagged"], (name, actual["detail"])
    if "affected" in expected:
        assert actual["affected_accounts"] == expected["affected"], name
    for fact in expected["facts"]:
        assert fact in actual["detail"], (name, fact, actual["detail"])
    assert actual["threshold"] == float(project_vars()[actual["threshold_var"]]), name


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_ravenstack_like_book_flags_every_check_with_the_figures_computed_here(ravenstack_like):
    build, added = ravenstack_like
    expected = expected_checks(build.raw_path)
    # the edits must have made each check fire, or this test would prove nothing
    assert all(expected[name]["flagged"] for name in CHECKS), {
        name: e["observed"] for name, e in expected.items()
    }
    rows = mart_rows(build)
    assert sorted(rows) == sorted(CHECKS)
    for name in CHECKS:
        assert_matches(rows[name], expected[name])

    unknown = rows["usage_features_not_in_catalogue"]
    assert all(feature in unknown["detail"] for feature in UNKNOWN_FEATURES)
    unbilled = rows["usage_by_accounts_without_revenue"]
    assert unbilled["example_accounts"].split(", ")[0] == ACCOUNT_WITHOUT_LINES
    stacked = rows["identical_open_recurring_lines"]
    assert stacked["affected_accounts"] >= len(added["stacked_accounts"])


def test_ravenstack_like_book_warns_in_the_build_and_the_headline(ravenstack_like):
    build, _ = ravenstack_like
    rows = mart_rows(build)
    for name in CHECKS:
        assert f"Plausibility warning: {name}: {rows[name]['detail']}" in build.output, name
        assert f"Warning in test plausibility_{name} " in build.output, name

    with duckdb.connect(str(build.warehouse), read_only=True) as con:
        report = headline(con)
    caveat_block = report.split("Caveats:\n", 1)[1].splitlines()
    assert caveat_block == [f"  - {name}: {rows[name]['detail']}" for name in sorted(CHECKS)]
    assert report.startswith(f"NRR engine: figures as of {AS_OF}")


def test_clean_generated_book_flags_nothing(clean_build):
    expected = expected_checks(clean_build.raw_path)
    rows = mart_rows(clean_build)
    for name in CHECKS:
        assert_matches(rows[name], expected[name])
        assert not rows[name]["is_flagged"], rows[name]["detail"]
    assert "Plausibility warning" not in clean_build.output
    with duckdb.connect(str(clean_build.warehouse), read_only=True) as con:
        assert caveats(con) == []
        assert "Caveats:" not in headline(con)


def test_hook_is_silent_when_the_mart_is_not_built(base_book, tmp_path):
    # a warehouse holding a flagged plausibility row from some earlier run, and a selection
    # without the mart: the hook must neither error nor report a table this run did not build
    (tmp_path / "build").mkdir()
    with duckdb.connect(str(tmp_path / "build" / "warehouse.duckdb")) as con:
        con.execute("create schema audit")
        con.execute(
            "create table audit.audit_data_plausibility as select 'stale_check' as check_name, "
            "'left from an earlier run' as detail, true as is_flagged"
        )
    build = run_dbt(
        tmp_path / "build",
        base_book,
        dbt_vars={"as_of_date": str(AS_OF)},
        extra_args=["--select", "+int_as_of_date_resolved", "--indirect-selection", "cautious"],
    )
    assert build.returncode == 0, build.output[-4000:]
    assert "Plausibility warning" not in build.output
    assert "left from an earlier run" not in build.output


def test_caveats_of_a_warehouse_without_the_mart_are_empty():
    with duckdb.connect() as con:
        assert caveats(con) == []
