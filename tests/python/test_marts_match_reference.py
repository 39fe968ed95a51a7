"""The revenue marts against the independent plain-Python computation of docs/definitions.md.

`reference/arr_reference.py` shares no code with the SQL; both are run on the same raw books
(the hand-made tiny book, a generated book, and the same generated book with a reactivation
window) and must agree row for row.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from conftest import Build, build_ok
from reference import arr_reference as ref

EXACT = "exact"  # identical values: keys, labels, counts
MONEY = "money"  # cents, compared exactly (both sides round as docs/definitions.md#month-snapshot)
RATIO_TOLERANCE = 1e-6  # ratios: the marts keep six decimals, the reference does not round them


def as_cents(value) -> Decimal | None:
    """An amount as an exact Decimal: the reference's floats are sums of cents (repr gives them
    back), the marts' amounts are decimal(18, 2)."""
    if value is None:
        return None
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    assert amount == amount.quantize(Decimal("0.01")), f"{value!r} is not a whole number of cents"
    return amount


def same(actual, expected, rule) -> bool:
    if rule == EXACT:
        return actual == expected
    if rule == MONEY:
        return as_cents(actual) == as_cents(expected)
    if actual is None or expected is None:
        return actual is None and expected is None
    return abs(float(actual) - float(expected)) <= rule


def assert_rows_match(actual: list[dict], expected: list[dict], key: tuple, columns: dict):
    """Both sides have the same keys, and every column agrees: exactly, in cents, or (ratios)
    within a tolerance."""
    actual_by_key = {tuple(row[k] for k in key): row for row in actual}
    expected_by_key = {tuple(row[k] for k in key): row for row in expected}
    missing = sorted(set(expected_by_key) - set(actual_by_key), key=str)[:5]
    extra = sorted(set(actual_by_key) - set(expected_by_key), key=str)[:5]
    assert not missing and not extra, f"missing from mart: {missing}; not expected: {extra}"
    mismatches = []
    for k, expected_row in expected_by_key.items():
        for column, rule in columns.items():
            a, e = actual_by_key[k][column], expected_row[column]
            if not same(a, e, rule):
                mismatches.append((k, column, a, e))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


@pytest.fixture(scope="module", params=["tiny_build", "generated_build", "window_build"])
def case(request) -> tuple[Build, ref.Book, dt.date, int | None]:
    build: Build = request.getfixturevalue(request.param)
    window = 2 if request.param == "window_build" else None
    book = ref.load_book(build.raw_path)
    return build, book, ref.default_as_of_date(book), window


# The revenue marts, everything upstream of them and every data test whose parents are all in
# that selection: the `reactivation_window_months` branch of the SQL runs under its data tests
# (movement rules, waterfall identity, new logos), while the health marts, which the window
# does not change, are skipped. Unit tests set their own vars, so they run in other builds.
REVENUE_WITH_DATA_TESTS = [
    "--select",
    "+path:models/marts/revenue",
    "--indirect-selection",
    "cautious",
    "--exclude-resource-type",
    "unit_test",
]


@pytest.fixture(scope="module")
def window_build(tmp_path_factory, generated_book) -> Build:
    """The generated book again, with a two-month reactivation window, and its data tests."""
    return build_ok(
        tmp_path_factory.mktemp("window"),
        generated_book,
        dbt_vars={"reactivation_window_months": 2},
        extra_args=REVENUE_WITH_DATA_TESTS,
    )


def test_the_window_build_ran_the_revenue_data_tests(window_build):
    results = json.loads(
        (window_build.warehouse.parent / "target" / "run_results.json").read_text()
    )
    tests = [r for r in results["results"] if r["unique_id"].startswith("test.")]
    assert all(r["status"] == "pass" for r in tests)
    tested = {r["unique_id"] for r in tests}
    for needed in (
        "movement_types_are_exclusive_fct_account_arr_monthly",
        "assert_waterfall_months_match_account_movements",
        "assert_new_logos_are_first_revenue",
    ):
        assert any(needed in unique_id for unique_id in tested), needed


def test_the_window_relabels_returns_as_new(window_build, generated_build):
    """The book has returns after more than two months at zero, so the window's branch fires."""
    query = "select count(*) from revenue.fct_account_arr_monthly where movement_type = '{}'"
    new_with, new_without = (
        b.query(query.format("new"))[0][0] for b in (window_build, generated_build)
    )
    reactivated_with, reactivated_without = (
        b.query(query.format("reactivation"))[0][0] for b in (window_build, generated_build)
    )
    assert new_with > new_without and reactivated_with < reactivated_without
    assert new_with - new_without == reactivated_without - reactivated_with


def test_as_of_date_defaults_to_the_latest_raw_date(case):
    build, _book, as_of, _window = case
    assert build.query("select as_of_date from intermediate.int_as_of_date_resolved") == [(as_of,)]


def test_account_months_and_movements(case):
    build, book, as_of, window = case
    expected = ref.movements(book, as_of, reactivation_window_months=window)
    actual = build.dicts("select * from revenue.fct_account_arr_monthly")
    assert len(actual) > 0
    assert_rows_match(
        actual,
        expected,
        key=("account_id", "month"),
        columns={
            "arr": MONEY,
            "previous_arr": MONEY,
            "movement_arr": MONEY,
            "movement_type": EXACT,
        },
    )


@pytest.mark.parametrize("grain", ["month", "quarter", "year"])
def test_waterfall(case, grain):
    build, book, as_of, window = case
    expected = ref.waterfall(book, as_of, grain, reactivation_window_months=window)
    actual = build.dicts(f"select * from revenue.fct_arr_waterfall where period_grain = '{grain}'")
    amounts = ["starting", "new", "reactivation", "expansion", "contraction", "churned", "ending"]
    counts = ["starting", "new", "reactivated", "expanded", "contracted", "churned", "ending"]
    assert_rows_match(
        actual,
        expected,
        key=("period_start",),
        columns={f"{a}_arr": MONEY for a in amounts} | {f"{c}_customers": EXACT for c in counts},
    )


@pytest.mark.parametrize("window_months", [12, 3])
def test_net_revenue_retention(case, window_months):
    build, book, as_of, _window = case
    expected = ref.retention(book, as_of, window_months)
    actual = build.dicts(
        f"select * from revenue.fct_net_revenue_retention where window_months = {window_months}"
    )
    assert_rows_match(
        actual,
        expected,
        key=("as_of_month",),
        columns={
            "cohort_customers": EXACT,
            "retained_customers": EXACT,
            "starting_arr": MONEY,
            "ending_arr": MONEY,
            "expansion_arr": MONEY,
            "contraction_arr": MONEY,
            "churned_arr": MONEY,
            "nrr": RATIO_TOLERANCE,
            "grr": RATIO_TOLERANCE,
            "logo_retention": RATIO_TOLERANCE,
        },
    )


@pytest.mark.parametrize("dimension", ref.DIMENSIONS)
def test_net_revenue_retention_by_dimension(case, dimension):
    build, book, as_of, _window = case
    expected = [
        row
        | {
            "dimension_value": None
            if row["dimension_value"] is None
            else str(row["dimension_value"])
        }
        for row in ref.retention_by_dimension(book, as_of, 12, dimension)
    ]
    actual = build.dicts(
        "select * from revenue.fct_net_revenue_retention_by_dimension "
        f"where window_months = 12 and dimension_name = '{dimension}'"
    )
    assert_rows_match(
        actual,
        expected,
        key=("as_of_month", "dimension_value"),
        columns={
            "cohort_customers": EXACT,
            "retained_customers": EXACT,
            "starting_arr": MONEY,
            "ending_arr": MONEY,
            "nrr": RATIO_TOLERANCE,
            "grr": RATIO_TOLERANCE,
            "logo_retention": RATIO_TOLERANCE,
        },
    )


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_cohort_retention(case, grain):
    build, book, as_of, _window = case
    expected = ref.cohort_retention(book, as_of, grain)
    actual = build.dicts(
        f"select * from revenue.fct_cohort_retention where cohort_grain = '{grain}'"
    )
    assert_rows_match(
        actual,
        expected,
        key=("segment", "cohort_start", "months_since_start"),
        columns={
            "cohort_customers": EXACT,
            "active_customers": EXACT,
            "starting_arr": MONEY,
            "arr": MONEY,
            "logo_retention": RATIO_TOLERANCE,
            "revenue_retention": RATIO_TOLERANCE,
            "grr": RATIO_TOLERANCE,
        },
    )


def test_current_arr_and_status(case):
    build, book, as_of, _window = case
    arr = ref.account_month_arr(book, as_of)
    as_of_month = ref.month_start(as_of)
    firsts = ref.first_arr_months(book, as_of)
    expected = []
    for account_id in book.accounts:
        current = arr.get((account_id, as_of_month), 0.0)
        status = "active" if current > 0 else ("churned" if account_id in firsts else "never_paid")
        expected.append(
            {"account_id": account_id, "current_arr": current, "account_status": status}
        )
    actual = build.dicts("select account_id, current_arr, account_status from revenue.dim_accounts")
    assert_rows_match(
        actual,
        expected,
        key=("account_id",),
        columns={"current_arr": MONEY, "account_status": EXACT},
    )
