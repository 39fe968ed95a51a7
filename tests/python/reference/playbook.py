"""The dbt Labs mrr-playbook seed, mapped onto our raw contract, and the playbook's own rules.

* :func:`playbook_as_raw` writes ``subscription_periods.csv`` as a raw folder of our contract
  (one recurring monthly USD line item per subscription period, one account per customer, and
  header-only CSVs for every other raw table).
* :func:`playbook_mrr` re-implements the playbook's ``mrr`` model (``customer_revenue_by_month``,
  ``customer_churn_month``, ``mrr``) from its published description, independently of our
  definitions, so tests can compare categories month by month.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from .arr_reference import add_months, month_start

#: Header-only raw tables (contract columns) written next to the line items and accounts.
EMPTY_TABLES: dict[str, list[str]] = {
    "fx_rates": ["currency", "rate_to_usd"],
    "users": ["user_id", "account_id", "role", "is_licensed", "created_at", "deactivated_at"],
    "usage_events": ["event_id", "account_id", "user_id", "occurred_at", "feature", "session_id"],
    "integrations": ["account_id", "integration_name", "connected_at", "disconnected_at"],
    "support_tickets": [
        "ticket_id",
        "account_id",
        "user_id",
        "created_at",
        "resolved_at",
        "priority",
        "subject",
        "body",
        "csat_score",
    ],
    "nps_responses": ["response_id", "account_id", "user_id", "responded_at", "score", "comment"],
    "feedback_items": ["feedback_id", "account_id", "source", "created_at", "body", "rating"],
    "invoices": [
        "invoice_id",
        "account_id",
        "issued_at",
        "due_date",
        "amount",
        "currency",
        "status",
        "paid_at",
        "attempt_count",
    ],
    "crm_events": [
        "crm_event_id",
        "account_id",
        "occurred_at",
        "event_type",
        "contact_role",
        "details",
    ],
    "community_activity": ["activity_id", "account_id", "user_id", "occurred_at", "activity_type"],
    "churn_surveys": [
        "survey_id",
        "account_id",
        "submitted_at",
        "reason_category",
        "competitor_name",
        "comment",
    ],
}

LINE_ITEM_COLUMNS = [
    "line_item_id",
    "account_id",
    "product",
    "plan",
    "line_type",
    "interval_months",
    "start_date",
    "end_date",
    "quantity",
    "unit_price",
    "discount_pct",
    "currency",
]

ACCOUNT_COLUMNS = [
    "account_id",
    "account_name",
    "created_at",
    "segment",
    "industry",
    "region",
    "employee_count",
    "icp_tier",
    "acquisition_channel",
    "use_case",
    "csm_owner",
]


def read_periods(csv_path) -> list[dict]:
    """``subscription_periods.csv`` rows, typed (dates, Decimal ``monthly_amount``)."""
    with Path(csv_path).open(newline="", encoding="utf-8") as fh:
        return [
            {
                "subscription_id": row["subscription_id"],
                "customer_id": row["customer_id"],
                "start_date": dt.date.fromisoformat(row["start_date"]),
                "end_date": dt.date.fromisoformat(row["end_date"]) if row["end_date"] else None,
                "monthly_amount": Decimal(row["monthly_amount"]),
            }
            for row in csv.DictReader(fh)
        ]


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: ("" if row.get(c) is None else row[c]) for c in columns})


def playbook_as_raw(csv_path, out_dir) -> Path:
    """Write the playbook seed as a raw folder of our contract; returns ``out_dir``.

    * ``subscription_line_items.csv``: one recurring line per subscription period
      (``line_item_id = subscription_id``, ``account_id = customer_id``, product ``core``, plan
      ``monthly``, ``interval_months`` 1, ``quantity`` 1, ``unit_price = monthly_amount``,
      ``discount_pct`` 0, USD; ``end_date`` kept exclusive as in the playbook).
    * ``accounts.csv``: every customer (``created_at`` = first ``start_date``, segment ``smb``,
      industry ``unknown``, region ``na``, ``employee_count`` 10, ``icp_tier`` 1,
      ``acquisition_channel`` ``inbound``, ``use_case`` ``unknown``, empty ``csm_owner``).
    * header-only CSVs for the other tables of :data:`EMPTY_TABLES`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    periods = read_periods(csv_path)

    lines = [
        {
            "line_item_id": p["subscription_id"],
            "account_id": p["customer_id"],
            "product": "core",
            "plan": "monthly",
            "line_type": "recurring",
            "interval_months": 1,
            "start_date": p["start_date"].isoformat(),
            "end_date": p["end_date"].isoformat() if p["end_date"] else None,
            "quantity": 1,
            "unit_price": p["monthly_amount"],
            "discount_pct": 0,
            "currency": "USD",
        }
        for p in periods
    ]
    _write_csv(out_dir / "subscription_line_items.csv", LINE_ITEM_COLUMNS, lines)

    first_start: dict[str, dt.date] = {}
    for p in periods:
        current = first_start.get(p["customer_id"])
        if current is None or p["start_date"] < current:
            first_start[p["customer_id"]] = p["start_date"]
    accounts = [
        {
            "account_id": customer_id,
            "account_name": f"Playbook customer {customer_id}",
            "created_at": first_start[customer_id].isoformat(),
            "segment": "smb",
            "industry": "unknown",
            "region": "na",
            "employee_count": 10,
            "icp_tier": 1,
            "acquisition_channel": "inbound",
            "use_case": "unknown",
            "csm_owner": None,
        }
        for customer_id in sorted(first_start, key=int)
    ]
    _write_csv(out_dir / "accounts.csv", ACCOUNT_COLUMNS, accounts)

    for table, columns in EMPTY_TABLES.items():
        _write_csv(out_dir / f"{table}.csv", columns, [])
    return out_dir


PLAYBOOK_SPINE_START = dt.date(2018, 1, 1)


def playbook_mrr(csv_path, current_month: dt.date | None = None) -> list[dict]:
    """The playbook's ``mrr`` rows, re-implemented from its SQL as published.

    * ``util_months``: months from 2018-01 up to (excluding) the current month.
    * ``customer_revenue_by_month``: for each customer, spine months from the month of its
      earliest ``start_date`` up to (excluding) the month of its latest ``end_date``; a month
      takes the ``monthly_amount`` of the period with ``start_date <= month < end_date`` (0 if
      none); ``is_active = mrr > 0``; ``is_first_month`` = the first active month.
    * ``customer_churn_month``: one extra row with mrr 0 the month after the last active month.
    * ``mrr``: ``previous_month_*`` from ``lag`` (coalesced to false / 0) and, in order:
      first month -> ``new``; inactive after active -> ``churn``; active after inactive ->
      ``reactivation``; change > 0 -> ``upgrade``; change < 0 -> ``downgrade``; else None.

    Returns dicts ``customer_id, date_month, mrr (Decimal), change_category``.
    """
    periods = read_periods(csv_path)
    current_month = current_month or dt.date(9999, 1, 1)
    by_customer: dict[str, list[dict]] = defaultdict(list)
    for p in periods:
        by_customer[p["customer_id"]].append(p)

    rows = []
    for customer_id in sorted(by_customer, key=int):
        subs = by_customer[customer_id]
        first = month_start(min(s["start_date"] for s in subs))
        ends = [s["end_date"] for s in subs if s["end_date"] is not None]
        if not ends:
            continue  # max(end_date) ignores NULLs: no spine for this customer
        stop = month_start(max(ends))
        months = []
        month = max(first, PLAYBOOK_SPINE_START)
        while month < stop and month < current_month:
            months.append(month)
            month = add_months(month, 1)

        revenue = []
        for m in months:
            amounts = [
                s["monthly_amount"]
                for s in subs
                if s["start_date"] <= m and (s["end_date"] is None or m < s["end_date"])
            ]
            mrr = sum(amounts, Decimal(0))
            revenue.append({"date_month": m, "mrr": mrr, "is_active": mrr > 0})
        active_months = [r["date_month"] for r in revenue if r["is_active"]]
        if not active_months:
            continue
        first_active, last_active = min(active_months), max(active_months)
        for r in revenue:
            r["is_first_month"] = r["date_month"] == first_active
        revenue.append(
            {
                "date_month": add_months(last_active, 1),
                "mrr": Decimal(0),
                "is_active": False,
                "is_first_month": False,
            }
        )
        revenue.sort(key=lambda r: r["date_month"])

        previous_active, previous_mrr = False, Decimal(0)
        for r in revenue:
            change = r["mrr"] - previous_mrr
            if r["is_first_month"]:
                category = "new"
            elif not r["is_active"] and previous_active:
                category = "churn"
            elif r["is_active"] and not previous_active:
                category = "reactivation"
            elif change > 0:
                category = "upgrade"
            elif change < 0:
                category = "downgrade"
            else:
                category = None
            rows.append(
                {
                    "customer_id": customer_id,
                    "date_month": r["date_month"],
                    "mrr": r["mrr"],
                    "mrr_change": change,
                    "change_category": category,
                }
            )
            previous_active, previous_mrr = r["is_active"], r["mrr"]
    return rows
