"""The revenue marts against the independent plain-Python computation of docs/definitions.md.

`reference/arr_reference.py` shares no code with the SQL; both are run on the same raw books
(the hand-made tiny book, a generated book, and the same generated book with a reactivation
window) and must agree row for row.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import MODELS_ONLY, Build, build_ok
from reference import arr_reference as ref

CENT_TOLERANCE = 0.011  # SQL sums doubles, the reference Decimals: a cent of rounding at most
RATIO_TOLERANCE = 1e-5  # marts keep six decimals


def close(a, b, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= tolerance


def assert_rows_match(actual: list[dict], expected: list[dict], key: tuple, columns: dict):
    """Both sides have the same keys, and every column agrees within its tolerance."""
    actual_by_key = {tuple(row[k] for k in key): row for row in actual}
    expected_by_key = {tuple(row[k] for k in key): row for row in expected}
    missing = sorted(set(expected_by_key) - set(actual_by_key), key=str)[:5]
    extra = sorted(set(actual_by_key) - set(expected_by_key), key=str)[:5]
    assert not missing and not extra, f"missing from mart: {missing}; not expected: {extra}"
    mismatches = []
    for k, expected_row in expected_by_key.items():
        for column, tolerance in columns.items():
            a, e = actual_by_key[k][column], expected_row[column]
            same = a == e if tolerance is None else close(a, e, tolerance)
            if not same:
                mismatches.append((k, column, a, e))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


@pytest.fixture(scope="module", params=["tiny_build", "generated_build", "window_build"])
def case(request) -> tuple[Build, ref.Book, dt.date, int | None]:
    build: Build = request.getfixturevalue(request.param)
    window = 2 if request.param == "window_build" else None
    book = ref.load_book(build.raw_path)
    return build, book, ref.default_as_of_date(book), window


@pytest.fixture(scope="module")
def window_build(tmp_path_factory, generated_book) -> Build:
    """The generated book again, with a two-month reactivation window."""
    return build_ok(
        tmp_path_factory.mktemp("window"),
        generated_book,
        dbt_vars={"reactivation_window_months": 2},
        extra_args=MODELS_ONLY,
    )


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
            "arr": CENT_TOLERANCE,
            "previous_arr": CENT_TOLERANCE,
            "movement_arr": CENT_TOLERANCE,
            "movement_type": None,
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
        columns={f"{a}_arr": CENT_TOLERANCE * 50 for a in amounts}
        | {f"{c}_customers": None for c in counts},
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
            "cohort_customers": None,
            "retained_customers": None,
            "starting_arr": CENT_TOLERANCE * 50,
            "ending_arr": CENT_TOLERANCE * 50,
            "expansion_arr": CENT_TOLERANCE * 50,
            "contraction_arr": CENT_TOLERANCE * 50,
            "churned_arr": CENT_TOLERANCE * 50,
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
            "cohort_customers": None,
            "retained_customers": None,
            "starting_arr": CENT_TOLERANCE * 50,
            "ending_arr": CENT_TOLERANCE * 50,
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
            "cohort_customers": None,
            "active_customers": None,
            "starting_arr": CENT_TOLERANCE * 50,
            "arr": CENT_TOLERANCE * 50,
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
        columns={"current_arr": CENT_TOLERANCE, "account_status": None},
    )
