"""Stripe (Fivetran's schema) as the billing source (docs/map_your_exports.md#stripe-fivetran).

With `billing_source: stripe` the base models of accounts, subscription_line_items, invoices and
fx_rates read the stg_stripe__ mappings instead of the raw files, and everything after them (the
contract check, the quarantine, the marts) runs unchanged. Two books:

- tests/python/fixtures/stripe_book: a small Stripe book written by hand (a trial, a seat
  upgrade, a repeating coupon, a cancel at period end, a plain churn with a forever amount-off
  coupon, an annual plan with a once coupon, a EUR customer, a trial that never converts). Its
  expected ARR per account and month is written out below by hand, from the CSVs.
- tests/data/external/fivetran_stripe: the integration-test seeds of fivetran/dbt_stripe
  (Apache-2.0). They are not a coherent book (most subscription items point at subscriptions
  that are not in the seed), so they check the mapping column by column and that every row the
  contract cannot accept is quarantined with its reason, never lost.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO, Build, build_ok, run_dbt

STRIPE_BOOK = REPO / "tests" / "python" / "fixtures" / "stripe_book"
FIVETRAN_SEEDS = REPO / "tests" / "data" / "external" / "fivetran_stripe"
AS_OF = "2025-12-31"
# Only what the tests read: the revenue marts and the audit trail (which needs every base model).
SELECT = [
    "--select", "+fct_account_arr_monthly", "+fct_arr_waterfall", "+audit_row_reconciliation",
    "--indirect-selection", "cautious",
]  # fmt: skip


def _months(first: str, last: str) -> list[dt.date]:
    """First days of the months from `first` to `last` (YYYY-MM), inclusive."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    out = []
    while (year, month) <= end:
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _arr(account: str, *spans: tuple[str, str, str]) -> dict[tuple[str, dt.date], Decimal]:
    return {
        (account, month): Decimal(value)
        for first, last, value in spans
        for month in _months(first, last)
    }


# ARR at each month end (the month's last day), by hand from the CSVs of the Stripe book.
# fct_account_arr_monthly has a row from the first month with ARR on, while arr > 0 or the
# previous month's arr > 0 (so one zero row in the month of a churn).
EXPECTED_ARR = {
    # trial 2025-01-10 .. 2025-02-10, then 2 seats x $50.00 (5000 cents) a month:
    # no ARR at the end of January (in trial); 2 * 50 * 12 = 1200 from February.
    **_arr("cus_trial", ("2025-02", "2025-12", "1200")),
    # 5 seats x $100.00 from 2025-02-01: 5 * 100 * 12 = 6000; 8 seats from the proration charge
    # of 2025-04-16 (the credit line of -25000 is not a period): 8 * 100 * 12 = 9600 at April's
    # end. The withdrawn cancel request is an old subscription_history version (not active).
    **_arr("cus_upgrade", ("2025-02", "2025-03", "6000"), ("2025-04", "2025-12", "9600")),
    # $100.00 a month from 2025-03-01, 25% off for 3 months (discount 03-01 .. 06-01):
    # 100 * 12 * 0.75 = 900 in March to May, 100 * 12 = 1200 from June.
    **_arr("cus_coupon", ("2025-03", "2025-05", "900"), ("2025-06", "2025-12", "1200")),
    # 3 seats x $50.00 from 2025-01-20: 3 * 50 * 12 = 1800. Cancel requested 2025-06-25 at
    # period end 2025-07-20: still 1800 at June's end, 0 (churn) at July's end.
    **_arr("cus_cancel", ("2025-01", "2025-06", "1800"), ("2025-07", "2025-07", "0")),
    # 1 seat x $50.00 with $10.00 off forever (amount_off 1000 cents: 10 / 50 = 20%):
    # (50 - 10) * 12 = 480; canceled at once on 2025-09-12: 0 at September's end. The void
    # invoice of 2025-05-02 billing 4 seats changes nothing (void invoices are not periods).
    **_arr("cus_churn", ("2025-01", "2025-08", "480"), ("2025-09", "2025-09", "0")),
    # $12,000.00 a year (1200000 cents, interval year x 1 = 12 months) from 2025-03-15:
    # 12000 * 12 / 12 = 12000; the 50% `once` coupon discounts one invoice, not the ARR.
    **_arr("cus_annual", ("2025-03", "2025-12", "12000")),
    # EUR 100.00 a month from 2025-05-01 (never invoiced: the item's current state), fx_rates
    # eur 1.10: 100 * 12 * 1.10 = 1320.
    **_arr("cus_eur", ("2025-05", "2025-12", "1320")),
    # cus_trial_lost: trial 2025-04-01 .. 04-15, canceled at its end: no paid line, no row.
}


@pytest.fixture(scope="module")
def stripe_book_build(tmp_path_factory) -> Build:
    work = tmp_path_factory.mktemp("stripe_book")
    empty_raw = work / "raw"  # no raw files: every other raw table is empty
    empty_raw.mkdir()
    return build_ok(
        work,
        empty_raw,
        dbt_vars={"billing_source": "stripe", "stripe_path": str(STRIPE_BOOK), "as_of_date": AS_OF},
        extra_args=SELECT,
        unit_tests=True,  # the Stripe mapping's unit tests exist only in stripe mode
    )


@pytest.fixture(scope="module")
def fivetran_seeds_build(tmp_path_factory) -> Build:
    work = tmp_path_factory.mktemp("fivetran_stripe")
    empty_raw = work / "raw"
    empty_raw.mkdir()
    return build_ok(
        work,
        empty_raw,
        dbt_vars={
            "billing_source": "stripe",
            "stripe_path": str(FIVETRAN_SEEDS),
            # the seeds are not a coherent book: most of their rows are quarantined, on purpose
            "max_rejected_share_by_table": {"subscription_line_items": 1, "invoices": 1},
        },
        extra_args=SELECT,
    )


def _csv(folder: Path, table: str) -> list[dict]:
    with (folder / f"{table}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


# --- the hand-made Stripe book -------------------------------------------------------------


def test_arr_per_account_and_month_is_the_hand_computed_one(stripe_book_build):
    rows = stripe_book_build.query(
        "select account_id, month, arr from revenue.fct_account_arr_monthly"
    )
    assert {(account, month): arr for account, month, arr in rows} == EXPECTED_ARR


def test_movements_fall_in_the_month_service_changes(stripe_book_build):
    rows = stripe_book_build.query(
        "select account_id, month, movement_type, movement_arr from revenue.fct_account_arr_monthly"
        " where movement_type <> 'flat'"
    )
    got = {(account, month.isoformat()[:7]): (kind, arr) for account, month, kind, arr in rows}
    assert got == {
        ("cus_trial", "2025-02"): ("new", Decimal("1200")),  # the first paid month, not the trial
        ("cus_upgrade", "2025-02"): ("new", Decimal("6000")),
        ("cus_upgrade", "2025-04"): ("expansion", Decimal("3600")),  # 9600 - 6000
        ("cus_coupon", "2025-03"): ("new", Decimal("900")),
        ("cus_coupon", "2025-06"): ("expansion", Decimal("300")),  # the coupon ends: 1200 - 900
        ("cus_cancel", "2025-01"): ("new", Decimal("1800")),
        ("cus_cancel", "2025-07"): ("churn", Decimal("-1800")),  # period end, not the request
        ("cus_churn", "2025-01"): ("new", Decimal("480")),
        ("cus_churn", "2025-09"): ("churn", Decimal("-480")),
        ("cus_annual", "2025-03"): ("new", Decimal("12000")),
        ("cus_eur", "2025-05"): ("new", Decimal("1320")),
    }


def test_waterfall_ends_december_at_the_sum_of_the_accounts(stripe_book_build):
    rows = stripe_book_build.query(
        "select ending_arr, churned_customers from revenue.fct_arr_waterfall"
        " where period_grain = 'month' and period_start = date '2025-12-01'"
    )
    # 1200 + 9600 + 1200 + 0 + 0 + 12000 + 1320; nobody churns in December
    assert rows == [(Decimal("25320"), 0)]


def test_lines_split_at_each_change_and_end_when_service_stops(stripe_book_build):
    rows = stripe_book_build.dicts("select * from staging.stg_raw__subscription_line_items")
    got = {
        row["line_item_id"]: (
            row["start_date"].isoformat(),
            row["end_date"].isoformat() if row["end_date"] else None,
            float(row["quantity"]),
            float(row["unit_price"]),
            float(row["discount_pct"]),
            row["interval_months"],
            row["currency"],
        )
        for row in rows
    }
    assert len(rows) == len(got)
    assert got == {
        # starts at trial_end, open
        "si_trial#1.1": ("2025-02-10", None, 2.0, 50.0, 0.0, 1, "USD"),
        # quantity 5 -> 8 at the proration charge's period start
        "si_upgrade#1.1": ("2025-02-01", "2025-04-16", 5.0, 100.0, 0.0, 1, "USD"),
        "si_upgrade#2.1": ("2025-04-16", None, 8.0, 100.0, 0.0, 1, "USD"),
        # the repeating coupon splits the stretch where the discount ends
        "si_coupon#1.1": ("2025-03-01", "2025-06-01", 1.0, 100.0, 0.25, 1, "USD"),
        "si_coupon#1.2": ("2025-06-01", None, 1.0, 100.0, 0.0, 1, "USD"),
        # cancel at period end: ends at current_period_end / ended_at, not at canceled_at
        "si_cancel#1.1": ("2025-01-20", "2025-07-20", 3.0, 50.0, 0.0, 1, "USD"),
        # $10 off a $50 price forever: 0.2; ends at ended_at
        "si_churn#1.1": ("2025-01-02", "2025-09-12", 1.0, 50.0, 0.2, 1, "USD"),
        "si_annual#1.1": ("2025-03-15", None, 1.0, 12000.0, 0.0, 12, "USD"),
        "si_eur#1.1": ("2025-05-01", None, 1.0, 100.0, 0.0, 1, "EUR"),
    }


def test_invoices_map_status_amount_and_transitions(stripe_book_build):
    rows = {
        row["invoice_id"]: row
        for row in stripe_book_build.dicts("select * from staging.stg_raw__invoices")
    }
    # 15 Stripe invoices, one a draft (not issued): 14
    assert len(rows) == 14 and "in_annual_draft" not in rows
    assert rows["in_up_5"]["status"] == "failed"  # uncollectible
    assert rows["in_up_4"]["status"] == "open" and rows["in_up_4"]["paid_at"] is None
    assert rows["in_churn_5"]["status"] == "void"
    assert rows["in_churn_5"]["voided_at"] == dt.datetime(2025, 5, 3, 9, 0)
    assert rows["in_annual_1"]["amount"] == Decimal("6000")  # 600000 cents
    assert rows["in_annual_1"]["paid_at"] == dt.datetime(2025, 4, 1, 9, 0)
    assert rows["in_annual_1"]["due_date"] == dt.date(2025, 4, 14)
    # charged automatically (no due_date): due on issue
    assert rows["in_trial_1"]["due_date"] == rows["in_trial_1"]["issued_at"] == dt.date(2025, 2, 10)
    assert (rows["in_eur_1"]["amount"], rows["in_eur_1"]["currency"]) == (Decimal("100"), "EUR")


def test_every_customer_is_an_account_and_nothing_is_quarantined(stripe_book_build):
    accounts = stripe_book_build.query("select account_id from staging.stg_raw__accounts")
    assert sorted(a for (a,) in accounts) == sorted(c["id"] for c in _csv(STRIPE_BOOK, "customer"))
    reconciliation = stripe_book_build.dicts(
        "select source_table, raw_rows, accepted_rows, rejected_rows"
        " from audit.audit_row_reconciliation where raw_rows > 0"
    )
    assert {r["source_table"]: (r["raw_rows"], r["accepted_rows"]) for r in reconciliation} == {
        "accounts": (8, 8),
        "fx_rates": (1, 1),
        "subscription_line_items": (9, 9),
        "invoices": (14, 14),
    }
    assert all(r["rejected_rows"] == 0 for r in reconciliation)


# --- the Fivetran integration-test seeds ---------------------------------------------------


def test_fivetran_customers_map_to_accounts(fivetran_seeds_build):
    got = dict(
        fivetran_seeds_build.query("select account_id, created_at from staging.stg_raw__accounts")
    )
    customers = _csv(FIVETRAN_SEEDS, "customer")
    assert len(customers) == 12  # one of them deleted (is_deleted): its history stays
    assert got == {c["id"]: dt.datetime.fromisoformat(c["created"]) for c in customers}


def test_fivetran_items_take_price_and_interval_from_their_plan(fivetran_seeds_build):
    plans = {p["id"]: p for p in _csv(FIVETRAN_SEEDS, "plan")}
    subscriptions = {s["id"] for s in _csv(FIVETRAN_SEEDS, "subscription")}
    mapped = {
        row["line_item_id"].split("#")[0]: row
        for row in fivetran_seeds_build.dicts(
            "select * from staging.stg_stripe__subscription_line_items"
        )
    }
    expected_items = 0
    for item in _csv(FIVETRAN_SEEDS, "subscription_item"):
        if item["subscription_id"] in subscriptions:
            # both seed subscriptions end when their trial ends: no paid line
            assert item["id"] not in mapped
            continue
        expected_items += 1
        line = mapped[item["id"]]
        plan = plans.get(item["plan_id"])
        assert float(line["quantity"]) == float(item["quantity"])
        if plan is None:  # a plan missing from the seed: no price, quarantined below
            assert line["unit_price"] is None and line["interval_months"] is None
            continue
        assert line["unit_price"] == pytest.approx(int(plan["amount"]) / 100)
        months = {"month": 1, "year": 12}[plan["interval"]] * int(plan["interval_count"])
        assert line["interval_months"] == months
        assert line["currency"] == plan["currency"].upper()
    assert len(mapped) == expected_items == 12


def test_fivetran_rows_the_contract_cannot_accept_are_quarantined_not_lost(fivetran_seeds_build):
    reconciliation = {
        row["source_table"]: row
        for row in fivetran_seeds_build.dicts("select * from audit.audit_row_reconciliation")
    }
    for table, raw in {"accounts": 12, "subscription_line_items": 12, "invoices": 2}.items():
        row = reconciliation[table]
        assert row["raw_rows"] == raw
        assert row["raw_rows"] == (
            row["accepted_rows"] + row["rejected_rows"] + row["duplicates_collapsed"]
        )
    reasons = dict(
        fivetran_seeds_build.query(
            "select record_id, reason from audit.audit_rejected_rows"
            " where source_table = 'subscription_line_items'"
        )
    )
    # every item's subscription is missing from the seed: no customer, no start
    assert len(reasons) == 12
    assert all("account_id is missing" in reason for reason in reasons.values())
    # the item whose plan 146gcb is not in the seed has no price either
    missing_plan = [r for r in reasons.values() if "unit_price is missing" in r]
    assert len(missing_plan) == 1
    invoice_reasons = fivetran_seeds_build.query(
        "select reason from audit.audit_rejected_rows where source_table = 'invoices'"
    )
    # the seed's invoices have no `created` (issue date) and customers not in the seed
    assert len(invoice_reasons) == 2
    assert all(
        "issued_at is missing" in r and "account_id is not an accepted account" in r
        for (r,) in invoice_reasons
    )


# --- errors ----------------------------------------------------------------------------------


def test_missing_stripe_tables_are_reported_together(tmp_path):
    stripe = tmp_path / "stripe"
    stripe.mkdir()
    (stripe / "customer.csv").write_text("id,created\ncus_1,2025-01-01\n")
    (stripe / "subscription_item.csv").write_text("id,subscription_id\nsi_1,sub_1\n")
    raw = tmp_path / "raw"
    raw.mkdir()
    build = run_dbt(
        tmp_path / "work",
        raw,
        dbt_vars={"billing_source": "stripe", "stripe_path": str(stripe)},
        extra_args=["--select", "stg_stripe__accounts"],
    )
    assert build.returncode != 0
    assert "3 problems" in build.output
    assert "missing columns 'plan_id', 'quantity'" in build.output
    assert "subscription_history or subscription" in build.output
    assert "price or plan" in build.output


def test_an_unknown_billing_source_is_refused(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    build = run_dbt(
        tmp_path / "work",
        raw,
        dbt_vars={"billing_source": "chargebee"},
        extra_args=["--select", "stg_stripe__accounts"],
    )
    assert build.returncode != 0
    assert "it must be raw_files" in build.output


def test_foreign_currency_without_fx_rates_is_reported_before_the_build(tmp_path):
    stripe = tmp_path / "stripe"
    stripe.mkdir()
    for source in STRIPE_BOOK.glob("*.csv"):
        if source.name != "fx_rates.csv":
            (stripe / source.name).write_text(source.read_text())
    raw = tmp_path / "raw"
    raw.mkdir()
    build = run_dbt(
        tmp_path / "work",
        raw,
        dbt_vars={"billing_source": "stripe", "stripe_path": str(stripe)},
        extra_args=["--select", "stg_stripe__accounts"],
    )
    assert build.returncode != 0
    # price_eur_m (the item of cus_eur) and the invoice in_eur_1
    assert "Stripe table 'price' has rows not in USD (EUR: 1)" in build.output
    assert "Stripe table 'invoice' has rows not in USD (EUR: 1)" in build.output
    assert "add fx_rates.csv" in build.output


def test_switching_the_billing_source_on_a_warehouse_stops_before_mixing(stripe_book_build):
    # the Stripe book's warehouse, now read from raw files: another raw source for the
    # incremental tables (docs/definitions.md#incremental-runs); stops before any model runs
    build = run_dbt(
        stripe_book_build.warehouse.parent,
        REPO / "tests" / "python" / "fixtures" / "tiny_book",
        extra_args=["--select", "stg_raw__accounts"],
    )
    assert build.returncode != 0
    assert "+ billing_source stripe (" in build.output
    assert "an incremental build would mix the two" in build.output
