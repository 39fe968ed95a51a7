"""The MetricFlow semantic layer (models/marts/semantic, docs/semantic_layer.md) against the marts.

One generated book (150 accounts, 21 months, seed 11) is built, models only, for the marts the
semantic models read. `mf query` then runs as a BI tool would run it: a subprocess, with the
build's profile variables and the warehouse opened read-only. Every figure is compared with the
public mart that publishes it, for every month:

- TTM and quarterly NRR, GRR and logo retention with fct_net_revenue_retention: the mart's rounded
  ratio (6 decimals) and the exact quotient of the sums it publishes (ending / starting ARR,
  starting - contraction - churned for GRR, retained / cohort customers);
- ARR, customers and every movement (amounts and counts) with fct_arr_waterfall by month, and by
  quarter: balances (ARR, customers, NRR) at the quarter's last month, flows summed;
- TTM retention by segment, ARR band and ICP tier with fct_net_revenue_retention_by_dimension;
- health band counts, ARR and at-risk ARR with fct_account_health, recomputed here (the last
  snapshot of each month, counted per band in plain Python);
- every saved query, each against its mart.

A wrongly defined metric must fail these comparisons: the same checks are run on a semantic
manifest patched with three wrong definitions (the mean of per-account NRRs, NRR summed over both
windows, ARR summed over the months of a quarter) and must reject each of them.

mf reads <project dir>/target/semantic_manifest.json (fixed by dbt-metricflow, whatever
--target-path dbt had), so each query runs in a project folder of its own: a link to
dbt_project.yml and target/semantic_manifest.json copied from the build's target folder.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import MODELS_ONLY, REPO, Build, build_ok, generate_book

MF = Path(sys.executable).parent / "mf"

# The marts the semantic models read, and what they need.
SELECTED = [
    "+fct_retention_cohort_accounts",
    "+metricflow_time_spine",
    "+dim_accounts",
    "+fct_account_arr_monthly",
    "+fct_account_health",
    "+fct_arr_waterfall",
    "+fct_net_revenue_retention",
    "+fct_net_revenue_retention_by_dimension",
]

RATIO_TOLERANCE = 5e-7  # the marts round ratios to 6 decimals
EXACT_TOLERANCE = 1e-9  # float division of the same decimal sums
CENT = Decimal("0.005")
AT_RISK_BANDS = {"at_risk", "critical", "churning"}

MOVEMENTS = ["new", "reactivation", "expansion", "contraction", "churned"]
MOVEMENT_COUNTS = {
    "new_customers": "new_customers",
    "reactivated_customers": "reactivated_customers",
    "churned_customers": "churned_customers",
    "expanded_customers": "expanded_customers",
    "contracted_customers": "contracted_customers",
}
RETENTION = {"nrr": "nrr", "grr": "grr", "logo_retention": "logo_retention"}


# --- running mf ----------------------------------------------------------------------------------


def mf_project(build: Build, name: str, manifest: dict | None = None) -> Path:
    """A project folder for mf: dbt_project.yml linked, the build's semantic manifest (or a
    patched copy) in target/."""
    folder = build.warehouse.parent / f"mf_{name}"
    (folder / "target").mkdir(parents=True, exist_ok=True)
    link = folder / "dbt_project.yml"
    if not link.exists():
        link.symlink_to(REPO / "dbt_project.yml")
    source = build.warehouse.parent / "target" / "semantic_manifest.json"
    if manifest is None:
        shutil.copyfile(source, folder / "target" / "semantic_manifest.json")
    else:
        (folder / "target" / "semantic_manifest.json").write_text(json.dumps(manifest))
    return folder


def mf(build: Build, project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO / "profiles"),
        "DBT_PROJECT_DIR": str(project),
        "NRR_DUCKDB_PATH": str(build.warehouse),
        "NRR_DUCKDB_TEMP_DIR": str(build.warehouse.parent / "duckdb_tmp"),
        "NRR_DUCKDB_ACCESS_MODE": "read_only",
        "NRR_THREADS": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # mf asks PyPI for a newer version at every start; a closed local port makes that fail at
        # once (it is then skipped), so the suite never reaches the network.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        [str(MF), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result


def mf_query(build: Build, project: Path, name: str, *args: str) -> list[dict]:
    """`mf query ... --csv`, read back as dicts of str (empty string for null)."""
    out = project / f"{name}.csv"
    mf(build, project, "query", *args, "--csv", str(out), "--decimals", "12", "--quiet")
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


# --- reading mf and mart values ------------------------------------------------------------------


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


def money(text: str | None) -> Decimal:
    return Decimal("0") if text in (None, "") else Decimal(text)


def keyed(rows: list[dict], *keys: str) -> dict:
    out = {}
    for row in rows:
        key = tuple(day(row[k]) if k.startswith("metric_time") else row[k] for k in keys)
        out[key if len(key) > 1 else key[0]] = row
    return out


def quotient(numerator, denominator) -> float | None:
    return None if not denominator else float(Decimal(numerator) / Decimal(denominator))


def retention_mismatches(
    expected: dict, got: dict, columns: dict[str, str], what: str, exact: dict | None = None
) -> list[str]:
    """Every key of the mart: the mf value equals the mart's ratio (null when the mart's is null);
    with `exact`, also the exact quotient of the mart's sums. mf must have no other key."""
    problems = []
    for key, mart_row in expected.items():
        row = got.get(key, {})
        for mf_column, mart_column in columns.items():
            value, mart_value = number(row.get(mf_column)), mart_row[mart_column]
            if mart_value is None:
                if value is not None:
                    problems.append(f"{what} {key} {mf_column}: mf {value}, mart null")
                continue
            if value is None or abs(value - float(mart_value)) > RATIO_TOLERANCE:
                problems.append(f"{what} {key} {mf_column}: mf {value}, mart {mart_value}")
            elif exact is not None:
                ratio = exact[key][mart_column]
                if abs(value - ratio) > EXACT_TOLERANCE:
                    problems.append(f"{what} {key} {mf_column}: mf {value}, exact {ratio}")
    extra = [k for k, row in got.items() if k not in expected and any(row[c] for c in columns)]
    problems += [f"{what} {k}: in mf, not in the mart" for k in extra]
    return problems


def amount_mismatches(expected: dict, got: dict, columns: dict[str, str], what: str) -> list[str]:
    """Money to the half-cent, counts exactly; a key mf lacks reads as 0."""
    problems = []
    for key, mart_row in expected.items():
        row = got.get(key, {})
        for mf_column, mart_column in columns.items():
            value, mart_value = money(row.get(mf_column)), Decimal(mart_row[mart_column])
            if abs(value - mart_value) > CENT:
                problems.append(f"{what} {key} {mf_column}: mf {value}, mart {mart_value}")
    return problems


def exact_ratios(row: dict) -> dict:
    return {
        "nrr": quotient(row["ending_arr"], row["starting_arr"]),
        "grr": quotient(
            row["starting_arr"] - row["contraction_arr"] - row["churned_arr"], row["starting_arr"]
        ),
        "logo_retention": quotient(row["retained_customers"], row["cohort_customers"]),
    }


def retention_by_month(build: Build, window: int) -> tuple[dict, dict]:
    rows = build.dicts(
        f"select * from revenue.fct_net_revenue_retention where window_months = {window}"
    )
    return {r["as_of_month"]: r for r in rows}, {r["as_of_month"]: exact_ratios(r) for r in rows}


def waterfall(build: Build, grain: str) -> dict:
    rows = build.dicts(f"select * from revenue.fct_arr_waterfall where period_grain = '{grain}'")
    return {r["period_start"]: r for r in rows}


def quarter_of(month: dt.date) -> dt.date:
    return dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


def ttm_at_quarter_end(build: Build) -> dict:
    """The mart's TTM row of each quarter's last month with a window."""
    monthly, _ = retention_by_month(build, 12)
    out = {}
    for month in sorted(monthly):
        out[quarter_of(month)] = monthly[month]
    return out


def quarter_mismatches(build: Build, rows: list[dict], nrr: str, arr: str) -> list[str]:
    got = keyed(rows, "metric_time__quarter")
    problems = retention_mismatches(ttm_at_quarter_end(build), got, {nrr: "nrr"}, "quarter")
    problems += amount_mismatches(waterfall(build, "quarter"), got, {arr: "ending_arr"}, "quarter")
    return problems


# --- the build -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Build:
    root = tmp_path_factory.mktemp("semantic")
    book = generate_book(root / "raw", 150, 21, seed=11)
    return build_ok(root / "build", book, extra_args=[*MODELS_ONLY, "--select", *SELECTED])


@pytest.fixture(scope="module")
def project(build) -> Path:
    return mf_project(build, "as_built")


@pytest.fixture(scope="module")
def monthly(build, project) -> dict:
    metrics = [
        *(f"{p}_{m}" for p in ("ttm", "quarterly") for m in RETENTION),
        "arr",
        "customers",
        *(f"{m}_arr" for m in MOVEMENTS),
        "net_new_arr",
        *MOVEMENT_COUNTS,
    ]
    rows = mf_query(
        build, project, "monthly", "--metrics", ",".join(metrics), "--group-by",
        "metric_time__month",
    )  # fmt: skip
    return keyed(rows, "metric_time__month")


@pytest.fixture(scope="module")
def saved(build, project) -> dict:
    manifest = json.loads((project / "target" / "semantic_manifest.json").read_text())
    names = sorted(q["name"] for q in manifest["saved_queries"])
    return {name: mf_query(build, project, name, "--saved-query", name) for name in names}


# --- the tests -----------------------------------------------------------------------------------


def test_the_book_has_retention_windows_to_compare(build):
    """Guard: the comparisons below are not vacuous."""
    ttm, _ = retention_by_month(build, 12)
    assert sum(row["nrr"] is not None for row in ttm.values()) >= 6
    assert len(waterfall(build, "quarter")) >= 6


def test_the_time_spine_has_every_day_of_every_reporting_month(build):
    (first_month,) = build.query("select min(month) from intermediate.int_month_snapshots_spined")[
        0
    ]
    (as_of,) = build.query("select as_of_date from intermediate.int_as_of_date_resolved")[0]
    after = dt.date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
    expected = [first_month + dt.timedelta(days=n) for n in range((after - first_month).days)]
    days = build.query("select date_day from semantic.metricflow_time_spine order by date_day")
    assert [d for (d,) in days] == expected


@pytest.mark.parametrize("window,prefix", [(12, "ttm"), (3, "quarterly")])
def test_retention_metrics_equal_the_mart_every_month(build, monthly, window, prefix):
    expected, exact = retention_by_month(build, window)
    columns = {f"{prefix}_{m}": m for m in RETENTION}
    assert retention_mismatches(expected, monthly, columns, prefix, exact) == []


def test_arr_customers_and_movements_equal_the_waterfall_every_month(build, monthly):
    expected = waterfall(build, "month")
    columns = {
        "arr": "ending_arr",
        "customers": "ending_customers",
        **{f"{m}_arr": f"{m}_arr" for m in MOVEMENTS},
        **MOVEMENT_COUNTS,
    }
    assert amount_mismatches(expected, monthly, columns, "month") == []
    for month, row in expected.items():
        net_new = money(monthly[month]["net_new_arr"])
        assert abs(net_new - (row["ending_arr"] - row["starting_arr"])) <= CENT, month


def test_ttm_retention_by_starting_arr_band_equals_the_mart(build, project):
    """The cohort's own dimension (segment, an account attribute, is the board saved query's)."""
    mart_dimension, mf_dimension = "arr_band", "cohort_account__starting_arr_band"
    rows = mf_query(
        build, project, mart_dimension, "--metrics", "ttm_nrr,ttm_grr,ttm_logo_retention",
        "--group-by", f"metric_time__month,{mf_dimension}",
    )  # fmt: skip
    got = keyed(rows, "metric_time__month", mf_dimension)
    mart = build.dicts(
        "select * from revenue.fct_net_revenue_retention_by_dimension "
        f"where window_months = 12 and dimension_name = '{mart_dimension}'"
    )
    expected = {(r["as_of_month"], r["dimension_value"]): r for r in mart}
    exact = {key: exact_ratios(row) for key, row in expected.items()}
    columns = {f"ttm_{m}": m for m in RETENTION}
    assert len({value for _, value in expected}) >= 2
    assert retention_mismatches(expected, got, columns, mart_dimension, exact) == []


def test_every_saved_query_runs(saved):
    assert set(saved) == {
        "board_retention_monthly",
        "board_arr_monthly",
        "board_retention_by_segment",
        "cs_health_bands_monthly",
    }
    assert all(rows for rows in saved.values())


def test_board_saved_queries_equal_the_marts(build, saved):
    expected, exact = retention_by_month(build, 12)
    got = keyed(saved["board_retention_monthly"], "metric_time__month")
    columns = {f"ttm_{m}": m for m in RETENTION}
    assert retention_mismatches(expected, got, columns, "board", exact) == []

    got = keyed(saved["board_arr_monthly"], "metric_time__month")
    columns = {"arr": "ending_arr", "customers": "ending_customers"}
    columns |= {f"{m}_arr": f"{m}_arr" for m in MOVEMENTS}
    assert amount_mismatches(waterfall(build, "month"), got, columns, "board") == []

    got = keyed(saved["board_retention_by_segment"], "metric_time__month", "account__segment")
    mart = build.dicts(
        "select * from revenue.fct_net_revenue_retention_by_dimension "
        "where window_months = 12 and dimension_name = 'segment'"
    )
    expected = {(r["as_of_month"], r["dimension_value"]): r for r in mart}
    exact = {key: exact_ratios(row) for key, row in expected.items()}
    columns = {"ttm_nrr": "nrr", "ttm_grr": "grr"}
    assert retention_mismatches(expected, got, columns, "segment", exact) == []


def test_health_bands_saved_query_equals_the_last_snapshot_of_each_month(build, saved):
    snapshots = build.query(
        "select snapshot_date, band, arr, account_id from health.fct_account_health"
    )
    last = {}
    for snapshot_date, *_ in snapshots:
        month = snapshot_date.replace(day=1)
        last[month] = max(last.get(month, snapshot_date), snapshot_date)
    expected = defaultdict(lambda: {"accounts": 0, "arr": Decimal(0), "at_risk": 0})
    for snapshot_date, band, arr, _ in snapshots:
        if snapshot_date == last[snapshot_date.replace(day=1)]:
            cell = expected[(snapshot_date.replace(day=1), band)]
            cell["accounts"] += 1
            cell["arr"] += arr
            cell["at_risk"] += band in AT_RISK_BANDS
    rows = saved["cs_health_bands_monthly"]
    got = keyed(rows, "metric_time__month", "health_snapshot__band")
    assert len({band for _, band in expected}) >= 3
    assert set(got) == set(expected)
    for key, cell in expected.items():
        row = got[key]
        assert money(row["health_accounts"]) == cell["accounts"], key
        assert money(row["at_risk_accounts"]) == cell["at_risk"], key
        assert abs(money(row["health_arr"]) - cell["arr"]) <= CENT, key
        at_risk_arr = cell["arr"] if key[1] in AT_RISK_BANDS else Decimal(0)
        assert abs(money(row["at_risk_arr"]) - at_risk_arr) <= CENT, key


def test_retention_metrics_are_ratios_of_sums(project):
    """The manifest: each retention metric divides two sums that fix the same window."""
    manifest = json.loads((project / "target" / "semantic_manifest.json").read_text())
    metrics = {m["name"]: m for m in manifest["metrics"]}
    measures = {
        measure["name"]: measure
        for model in manifest["semantic_models"]
        for measure in model["measures"]
    }
    for prefix, window in (("ttm", 12), ("quarterly", 3)):
        for name in RETENTION:
            metric = metrics[f"{prefix}_{name}"]
            assert metric["type"] == "ratio"
            for side in ("numerator", "denominator"):
                part = metrics[metric["type_params"][side]["name"]]
                assert measures[part["type_params"]["measure"]["name"]]["agg"] == "sum"
                (where,) = part["filter"]["where_filters"]
                assert where["where_sql_template"].endswith(f"window_months') }}}} = {window}")


def wrong_manifest(manifest: dict) -> dict:
    """Three wrong definitions beside the right ones: the mean of per-account NRRs, NRR over the
    cohorts of both windows, and ARR summed over the months of a period."""
    wrong = copy.deepcopy(manifest)
    models = {m["name"]: m for m in wrong["semantic_models"]}
    metrics = {m["name"]: m for m in wrong["metrics"]}

    def add_measure(model: str, like: str, name: str, **changes) -> None:
        measure = copy.deepcopy(next(m for m in models[model]["measures"] if m["name"] == like))
        measure.update(name=name, **changes)
        models[model]["measures"].append(measure)

    def add_metric(like: str, name: str, measure: str | None = None, **changes) -> dict:
        metric = copy.deepcopy(metrics[like])
        metric.update(name=name, **changes)
        if measure:
            metric["type_params"]["measure"]["name"] = measure
            metric["type_params"]["input_measures"][0]["name"] = measure
        wrong["metrics"].append(metric)
        return metric

    add_measure(
        "retention_cohort_accounts", "cohort_starting_arr", "account_nrr",
        agg="average", expr="1.0 * ending_arr / starting_arr",
    )  # fmt: skip
    add_metric("ttm_cohort_ending_arr", "mean_of_account_nrr", measure="account_nrr")

    add_metric("ttm_cohort_ending_arr", "any_window_ending_arr", filter=None)
    add_metric("ttm_cohort_starting_arr", "any_window_starting_arr", filter=None)
    mixed = add_metric("ttm_nrr", "nrr_of_both_windows")
    mixed["type_params"]["numerator"]["name"] = "any_window_ending_arr"
    mixed["type_params"]["denominator"]["name"] = "any_window_starting_arr"

    add_measure("account_arr_monthly", "arr_balance", "arr_summed", non_additive_dimension=None)
    add_metric("arr", "arr_summed_over_months", measure="arr_summed")
    return wrong


@pytest.fixture(scope="module")
def quarterly(build, project) -> list[dict]:
    """One query by quarter on the build's manifest patched with the wrong definitions (the
    right ones in it are the build's, unchanged): the right metrics must pass the quarter
    comparisons, each wrong one must fail them."""
    manifest = json.loads((project / "target" / "semantic_manifest.json").read_text())
    wrong = mf_project(build, "wrong", wrong_manifest(manifest))
    metrics = [
        "ttm_nrr", "arr", "customers", "new_arr", "churned_arr",
        "mean_of_account_nrr", "nrr_of_both_windows", "arr_summed_over_months",
    ]  # fmt: skip
    return mf_query(
        build, wrong, "quarterly", "--metrics", ",".join(metrics),
        "--group-by", "metric_time__quarter",
    )  # fmt: skip


def test_balances_are_read_at_the_quarter_end_and_flows_summed(build, quarterly):
    assert quarter_mismatches(build, quarterly, "ttm_nrr", "arr") == []
    columns = {"customers": "ending_customers", "new_arr": "new_arr", "churned_arr": "churned_arr"}
    got = keyed(quarterly, "metric_time__quarter")
    assert amount_mismatches(waterfall(build, "quarter"), got, columns, "quarter") == []


def test_the_comparisons_reject_wrongly_defined_metrics(build, quarterly):
    got = keyed(quarterly, "metric_time__quarter")
    expected = ttm_at_quarter_end(build)
    for wrong_nrr in ("mean_of_account_nrr", "nrr_of_both_windows"):
        # computed for every quarter (so a mismatch is a wrong figure, not a missing one)
        assert all(number(got[quarter][wrong_nrr]) is not None for quarter in expected)
        assert retention_mismatches(expected, got, {wrong_nrr: "nrr"}, "quarter"), wrong_nrr
    assert all(number(row["arr_summed_over_months"]) for row in got.values())
    columns = {"arr_summed_over_months": "ending_arr"}
    assert amount_mismatches(waterfall(build, "quarter"), got, columns, "quarter")
