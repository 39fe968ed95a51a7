"""Start with what you have (docs/definitions.md#required-and-optional-input).

Only accounts (account_id, created_at) and subscription_line_items are required, plus fx_rates
when a row is not in USD; every other table may be absent (empty), a nullable column absent
(null), a defaulted column absent (its default). Missing required pieces are reported together in
one message. `nrr-raw-template` writes a folder that builds as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import (
    MODELS_ONLY,
    PLAYBOOK_CSV,
    REPO,
    TINY_BOOK,
    Build,
    build_ok,
    generate_book,
    run_dbt,
)

# Revenue marts that do not depend on account attributes (segment, region, ICP tier...): they
# must be equal, row for row, whatever account attributes exist. fct_cohort_retention is compared
# on its `all` rows only (its other rows are cut by segment, which the billing-only book lacks).
REVENUE_MARTS = {
    "revenue.fct_account_arr_monthly": "true",
    "revenue.fct_arr_waterfall": "true",
    "revenue.fct_net_revenue_retention": "true",
    "revenue.fct_cohort_retention": "segment = 'all'",
}


def contract_columns_from_yaml() -> dict[str, list[str]]:
    """Table -> contract columns, read straight from the YAML (not through nrr_engine)."""
    document = yaml.safe_load((REPO / "models/staging/raw/_raw__sources.yml").read_text())
    raw = next(s for s in document["sources"] if s["name"] == "raw")
    return {t["name"]: [c["name"] for c in t["columns"]] for t in raw["tables"]}


def rows(build: Build, relation: str, where: str) -> list[tuple]:
    return build.query(f"select * from {relation} where {where} order by all")


# (a) a billing-only folder: accounts with only the two required columns, plus line items


@pytest.fixture(scope="module")
def full_book(tmp_path_factory) -> Path:
    return generate_book(tmp_path_factory.mktemp("full") / "raw", 200, 24, seed=11)


@pytest.fixture(scope="module")
def billing_only_book(tmp_path_factory, full_book) -> Path:
    """The same book, reduced with pyarrow to what a billing system exports.

    fx_rates stays because the generated book bills in EUR and GBP too (it is required then).
    """
    raw = tmp_path_factory.mktemp("billing_only") / "raw"
    raw.mkdir()
    accounts = pq.read_table(full_book / "accounts.parquet", columns=["account_id", "created_at"])
    pq.write_table(accounts, raw / "accounts.parquet")
    for table in ("subscription_line_items", "fx_rates"):
        shutil.copy(full_book / f"{table}.parquet", raw / f"{table}.parquet")
    return raw


@pytest.fixture(scope="module")
def latest_line_start(full_book) -> dt.date:
    """The billing-only book's default as_of_date: its latest line start (a live book)."""
    lines = pq.read_table(full_book / "subscription_line_items.parquet")
    assert pc.sum(pc.is_null(lines["end_date"])).as_py() > 0  # open lines: a live book
    return pc.max(lines["start_date"]).as_py()


@pytest.fixture(scope="module")
def billing_only_build(tmp_path_factory, billing_only_book) -> Build:
    return build_ok(tmp_path_factory.mktemp("billing_only_build"), billing_only_book)


@pytest.fixture(scope="module")
def full_build(tmp_path_factory, full_book, latest_line_start) -> Build:
    # the full book's usage runs past its last line start; pin the same reporting date so that
    # the comparison is of the revenue maths, not of two reporting dates
    # (only what the revenue marts compared need; the billing-only build is the whole project)
    return build_ok(
        tmp_path_factory.mktemp("full_build"),
        full_book,
        dbt_vars={"as_of_date": latest_line_start.isoformat()},
        extra_args=[*MODELS_ONLY, "--select", "+path:models/marts/revenue"],
    )


def test_billing_only_folder_builds_with_defaults(billing_only_build, latest_line_start):
    assert billing_only_build.query(
        "select as_of_date from intermediate.int_as_of_date_resolved"
    ) == [(latest_line_start,)]
    # the absent account attributes: segment is its default, the others null
    attributes = billing_only_build.query(
        "select segment, icp_tier, region, industry, account_name, count(*) "
        "from revenue.dim_accounts group by all"
    )
    assert [a[:5] for a in attributes] == [("unknown", None, None, None, None)]
    assert attributes[0][5] == 200
    # nothing was rejected for what is not there
    assert (
        billing_only_build.query(
            "select source_table, count(*) from audit.audit_rejected_rows group by all"
        )
        == []
    )
    # the absent tables are empty
    assert billing_only_build.query("select count(*) from staging.stg_raw__usage_events") == [(0,)]


@pytest.mark.parametrize("relation", REVENUE_MARTS)
def test_billing_only_revenue_marts_equal_the_full_book(billing_only_build, full_build, relation):
    where = REVENUE_MARTS[relation]
    billing_only = rows(billing_only_build, relation, where)
    assert len(billing_only) > 0
    assert billing_only == rows(full_build, relation, where)


# (a2) the minimal billing-only folder of docs/map_your_exports.md: the mrr-playbook export with
# only its own columns; every other line-item column is absent and takes its default


def write_csv(path: Path, header: list[str], body: list[list]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(body)


@pytest.fixture(scope="module")
def minimal_playbook_build(tmp_path_factory) -> Build:
    raw = tmp_path_factory.mktemp("minimal_playbook") / "raw"
    raw.mkdir()
    with PLAYBOOK_CSV.open(newline="") as handle:
        periods = list(csv.DictReader(handle))
    write_csv(
        raw / "subscription_line_items.csv",
        ["line_item_id", "account_id", "start_date", "end_date", "unit_price"],
        [
            [p["subscription_id"], p["customer_id"], p["start_date"], p["end_date"]]
            + [p["monthly_amount"]]
            for p in periods
        ],
    )
    first_start: dict[str, str] = {}
    for p in periods:
        first_start[p["customer_id"]] = min(first_start.get(p["customer_id"], "9"), p["start_date"])
    write_csv(raw / "accounts.csv", ["account_id", "created_at"], sorted(first_start.items()))
    # no as_of_date var: the default must reach the book's final churn month
    return build_ok(tmp_path_factory.mktemp("minimal_playbook_build"), raw)


# The playbook's published total MRR (as in test_external_mrr_playbook.py); it ends at 0 in 2020-02.
PUBLISHED_MRR = {
    dt.date(2018, 1, 1): 55,
    dt.date(2019, 11, 1): 1840,
    dt.date(2019, 12, 1): 1255,
    dt.date(2020, 1, 1): 175,
    dt.date(2020, 2, 1): 0,
}


def test_minimal_playbook_folder_reports_the_final_churn_month(minimal_playbook_build):
    build = minimal_playbook_build
    # a finished book (every subscription has ended): as_of_date is its last end, 2020-02-01
    assert build.query("select as_of_date from intermediate.int_as_of_date_resolved") == [
        (dt.date(2020, 2, 1),)
    ]
    waterfall = {
        month: (ending, churned)
        for month, ending, churned in build.query(
            "select period_start, ending_arr, churned_arr from revenue.fct_arr_waterfall "
            "where period_grain = 'month'"
        )
    }
    assert max(waterfall) == dt.date(2020, 2, 1)
    for month, mrr in PUBLISHED_MRR.items():
        assert waterfall[month][0] == Decimal(mrr * 12), month
    # 2020-02: the last 175 of MRR churns
    assert waterfall[dt.date(2020, 2, 1)][1] == Decimal(175 * 12)
    # defaults: recurring, monthly, one unit, no discount, USD
    assert build.query(
        "select distinct line_type, interval_months, quantity, discount_pct, currency "
        "from staging.stg_raw__subscription_line_items"
    ) == [("recurring", 1, 1, 0, "USD")]


# (b) several missing required tables and columns: one message naming all of them


def test_every_missing_required_piece_is_reported_in_one_message(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(TINY_BOOK, raw)
    (raw / "accounts.csv").unlink()
    drop_columns(raw / "subscription_line_items.csv", {"start_date", "unit_price"})
    drop_columns(raw / "usage_events.csv", {"session_id"})  # an optional table, but present
    (raw / "churn_surveys.csv").unlink()  # optional: not a problem
    build = run_dbt(tmp_path / "build", raw)
    assert build.returncode != 0
    out = build.output
    assert (
        "does not meet the raw contract (models/staging/raw/_raw__sources.yml), 3 problems:" in out
    )
    assert (
        "raw table 'accounts' is required: neither accounts.parquet nor accounts.csv is in raw_path"
    ) in out
    line_items = raw / "subscription_line_items.csv"
    assert (
        f"raw table 'subscription_line_items' ({line_items}) is missing required columns "
        "'start_date', 'unit_price'. Columns found: line_item_id, account_id, product, plan, "
        "line_type, interval_months, end_date, quantity, discount_pct, currency."
    ) in out
    assert (
        f"raw table 'usage_events' ({raw / 'usage_events.csv'}) is missing required column "
        "'session_id'" in out
    )
    assert "churn_surveys" not in out
    assert not build.warehouse.exists() or build.query(
        "select count(*) from information_schema.tables where table_schema = 'revenue'"
    ) == [(0,)]


def drop_columns(path: Path, names: set[str]) -> None:
    with path.open(newline="") as handle:
        table = list(csv.reader(handle))
    keep = [i for i, name in enumerate(table[0]) if name not in names]
    assert len(keep) == len(table[0]) - len(names)
    write_csv(path, [table[0][i] for i in keep], [[r[i] for i in keep] for r in table[1:]])


def test_an_absent_optional_table_and_column_build(tmp_path):
    """The tiny book without users.csv and without csm_owner (nullable) still builds."""
    raw = tmp_path / "raw"
    shutil.copytree(TINY_BOOK, raw)
    (raw / "users.csv").unlink()
    drop_columns(raw / "accounts.csv", {"csm_owner"})
    build = build_ok(tmp_path / "build", raw, extra_args=MODELS_ONLY)
    assert build.query("select count(*) from staging.stg_raw__users") == [(0,)]
    assert (
        build.query("select count(*), count(csm_owner) from staging.stg_raw__accounts")[0][1] == 0
    )


# (c) a line item not in USD, and no fx_rates: a clear stop


def test_foreign_currency_without_fx_rates_stops_with_the_currencies(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(TINY_BOOK, raw)
    (raw / "fx_rates.csv").unlink()
    with (raw / "subscription_line_items.csv").open(newline="") as handle:
        currencies = Counter(r["currency"].strip() for r in csv.DictReader(handle))
    foreign = {c: n for c, n in currencies.items() if c and c != "USD"}
    assert foreign  # the tiny book bills in EUR
    build = run_dbt(tmp_path / "build", raw)
    assert build.returncode != 0
    listed = ", ".join(f"{c}: {n}" for c, n in sorted(foreign.items()))
    total = sum(foreign.values())
    assert (
        f"raw table 'subscription_line_items' ({raw / 'subscription_line_items.csv'}) has "
        f"{total} row{'s' if total > 1 else ''} not in USD ({listed}) and raw_path has no "
        "fx_rates file"
    ) in build.output


# (d) the template folder round trip


def test_template_headers_are_the_contract_and_the_folder_builds(tmp_path):
    out = tmp_path / "template"
    subprocess.run(
        [sys.executable, "-m", "nrr_engine.raw_template", "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    expected = contract_columns_from_yaml()
    written = {p.stem: p for p in out.glob("*.csv")}
    assert set(written) == set(expected)
    for table, path in written.items():
        lines = path.read_text().splitlines()
        assert lines == [",".join(expected[table])], table
    guide = (out / "README.md").read_text()
    assert "Required files: `accounts` (account_id, created_at), `subscription_line_items`" in guide
    assert "| `segment` | string | optional, default `unknown` |" in guide
    assert "| `created_at` | timestamp | required |" in guide
    # used unchanged as raw_path, the template is an empty book that builds (data tests too)
    build = build_ok(tmp_path / "build", out)
    assert build.query("select count(*) from revenue.fct_arr_waterfall") == [(0,)]
    # a second run refuses to overwrite what is there
    again = subprocess.run(
        [sys.executable, "-m", "nrr_engine.raw_template", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 2
    assert "already holds" in again.stderr
