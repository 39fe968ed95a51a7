"""Plain-Python reference implementation of ``docs/definitions.md``.

This module is deliberately independent of the dbt project: it was written from the definitions
page only (no SQL was read), uses the standard library plus ``pyarrow`` (to read parquet), and
favours obviously-correct loops over speed. Tests compare the dbt marts with it.

Conventions used throughout:

* Identifiers (``account_id``, ``line_item_id``) and account attributes (segment, region,
  ``icp_tier``, ...) are normalised to ``str`` so that CSV and parquet books give identical keys.
* Money is computed with :class:`decimal.Decimal`; an account's ARR on a day is rounded once, on
  the account-level sum, to six decimals and then to cents, each ROUND_HALF_UP (ties away from
  zero) (``#month-snapshot``). Public functions return ``float`` amounts and ratios; every
  amount is an exact sum of cent values before the conversion, so ``Decimal(repr(amount))``
  gives the cents back exactly.
* A *month* is represented by its first day (``datetime.date``), as in the marts' ``month`` columns.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import pyarrow.parquet as pq

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
ZERO = Decimal("0")

#: ARR bands of ``#arr-bands`` (lower bound inclusive, upper bound exclusive).
ARR_BANDS: list[tuple[Decimal, Decimal | None, str]] = [
    (Decimal("0"), Decimal("10000"), "under_10k"),
    (Decimal("10000"), Decimal("25000"), "10k_to_25k"),
    (Decimal("25000"), Decimal("100000"), "25k_to_100k"),
    (Decimal("100000"), None, "100k_plus"),
]

#: Dimensions accepted by :func:`retention_by_dimension` (``#retention``, "Cuts").
DIMENSIONS = ("segment", "region", "icp_tier", "acquisition_channel", "arr_band")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineItem:
    """One ``subscription_line_items`` row, typed."""

    line_item_id: str
    account_id: str
    product: str | None
    plan: str | None
    line_type: str
    interval_months: int
    start_date: dt.date
    end_date: dt.date | None  # exclusive; None = open ended
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    currency: str


@dataclass
class Book:
    """A raw book: line items, FX rates, accounts and the dates used for the default as_of."""

    line_items: list[LineItem]
    fx_rates: dict[str, Decimal]
    accounts: dict[str, dict[str, str | None]]
    max_line_start: dt.date | None = None
    max_invoice_issued: dt.date | None = None
    max_usage_date: dt.date | None = None
    source_dir: Path | None = field(default=None, compare=False)

    def rate_to_usd(self, currency: str) -> Decimal:
        """Fixed rate of ``currency`` (``#line-item-arr``, "Currency"); USD is 1 without a row.

        A currency without a rate raises: it must never be valued at 0.
        """
        if currency in self.fx_rates:
            return self.fx_rates[currency]
        if currency == "USD":
            return Decimal(1)
        raise KeyError(f"no fx rate for currency {currency!r}")


def _read_rows(raw_dir: Path, table: str) -> list[dict] | None:
    """Rows of ``<table>.parquet`` (preferred) or ``<table>.csv``; None if neither exists.

    CSV empty strings become None.
    """
    parquet_path = raw_dir / f"{table}.parquet"
    csv_path = raw_dir / f"{table}.csv"
    if parquet_path.exists():
        return pq.read_table(parquet_path).to_pylist()
    if csv_path.exists():
        with csv_path.open(newline="", encoding="utf-8") as fh:
            return [
                {k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)
            ]
    return None


def _to_date(value) -> dt.date | None:
    """A date from a parquet date/timestamp or a CSV ``YYYY-MM-DD`` / ``...THH:MM:SSZ`` string.

    Timestamps are taken in UTC.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    parsed = dt.datetime.fromisoformat(text.replace(" ", "T"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed.date()


def _to_decimal(value) -> Decimal:
    """An exact Decimal from a parquet decimal/int/float or a CSV string.

    Floats go through ``repr`` (shortest round-trip text), i.e. the number as it was written.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def _to_str(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _dedupe(rows: list[dict]) -> list[dict]:
    """Collapse exact duplicate rows (``#bad-input``: equal in every column -> one row)."""
    seen: set[tuple] = set()
    out = []
    for row in rows:
        key = tuple(sorted((k, repr(v)) for k, v in row.items()))
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _max_date(values) -> dt.date | None:
    dates = [d for d in (_to_date(v) for v in values) if d is not None]
    return max(dates) if dates else None


def load_book(raw_dir) -> Book:
    """Load a raw folder (``<table>.parquet`` or ``<table>.csv`` per table) into a :class:`Book`.

    Reads ``subscription_line_items`` (required), ``fx_rates``, ``accounts``, ``invoices``
    (``issued_at``) and ``usage_events`` (``occurred_at``); missing optional tables are empty.
    Input is assumed clean; exact duplicate rows are collapsed (``#bad-input``).
    """
    raw_dir = Path(raw_dir)
    raw_lines = _read_rows(raw_dir, "subscription_line_items")
    if raw_lines is None:
        raise FileNotFoundError(f"no subscription_line_items table in {raw_dir}")
    line_items = []
    for row in _dedupe(raw_lines):
        discount = row.get("discount_pct")
        line_items.append(
            LineItem(
                line_item_id=_to_str(row["line_item_id"]),
                account_id=_to_str(row["account_id"]),
                product=_to_str(row.get("product")),
                plan=_to_str(row.get("plan")),
                line_type=str(row["line_type"]).strip(),
                interval_months=int(_to_decimal(row["interval_months"])),
                start_date=_to_date(row["start_date"]),
                end_date=_to_date(row.get("end_date")),
                quantity=_to_decimal(row["quantity"]),
                unit_price=_to_decimal(row["unit_price"]),
                discount_pct=ZERO if discount is None else _to_decimal(discount),
                currency=str(row["currency"]).strip(),
            )
        )

    fx_rates = {}
    for row in _dedupe(_read_rows(raw_dir, "fx_rates") or []):
        fx_rates[str(row["currency"]).strip()] = _to_decimal(row["rate_to_usd"])

    accounts = {}
    for row in _dedupe(_read_rows(raw_dir, "accounts") or []):
        accounts[_to_str(row["account_id"])] = {k: _to_str(v) for k, v in row.items()}

    invoices = _read_rows(raw_dir, "invoices") or []
    usage = _read_rows(raw_dir, "usage_events") or []
    return Book(
        line_items=line_items,
        fx_rates=fx_rates,
        accounts=accounts,
        max_line_start=_max_date(li.start_date for li in line_items),
        max_invoice_issued=_max_date(r.get("issued_at") for r in invoices),
        max_usage_date=_max_date(r.get("occurred_at") for r in usage),
        source_dir=raw_dir,
    )


# --------------------------------------------------------------------------------------------
# Calendar helpers
# --------------------------------------------------------------------------------------------


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """First day of the month ``n`` months after the month of ``month``."""
    index = month.year * 12 + (month.month - 1) + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from the month of ``a`` to the month of ``b``."""
    return (b.year - a.year) * 12 + (b.month - a.month)


def period_start(month: dt.date, grain: str) -> dt.date:
    """First day of the month / quarter / year containing ``month``."""
    if grain == "month":
        return month_start(month)
    if grain == "quarter":
        return dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    if grain == "year":
        return dt.date(month.year, 1, 1)
    raise ValueError(f"unknown grain {grain!r}")


# --------------------------------------------------------------------------------------------
# as_of and the month spine
# --------------------------------------------------------------------------------------------


def default_as_of_date(book: Book, today: dt.date | None = None) -> dt.date:
    """Default ``as_of_date`` (``#month-snapshot``).

    The latest of line item start dates, invoice issue dates and usage event dates, never later
    than ``today`` (default: ``date.today()``).
    """
    today = today or dt.date.today()
    candidates = [
        d for d in (book.max_line_start, book.max_invoice_issued, book.max_usage_date) if d
    ]
    if not candidates:
        return today
    return min(today, max(candidates))


def _recurring_lines(book: Book, as_of: dt.date) -> list[LineItem]:
    """Recurring lines that have started by ``as_of`` (``#line-item-arr``)."""
    return [li for li in book.line_items if li.line_type == "recurring" and li.start_date <= as_of]


def month_snapshots(book: Book, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The month spine as ``(month_first_day, snapshot_date)`` pairs (``#month-snapshot``).

    From the month of the earliest recurring line start (lines starting on or before ``as_of``)
    to the month of ``as_of``. The snapshot is the month's last day, or ``as_of`` for its month.
    Empty when no recurring line has started.
    """
    lines = _recurring_lines(book, as_of)
    if not lines:
        return []
    first = month_start(min(li.start_date for li in lines))
    last = month_start(as_of)
    spine = []
    month = first
    while month <= last:
        snapshot = as_of if month == last else month_end(month)
        spine.append((month, snapshot))
        month = add_months(month, 1)
    return spine


# --------------------------------------------------------------------------------------------
# ARR
# --------------------------------------------------------------------------------------------


def line_arr(book: Book, li: LineItem) -> Decimal:
    """Unrounded USD ARR of a recurring line (``#line-item-arr``).

    ``quantity * unit_price * (1 - discount_pct) * 12 / interval_months * rate_to_usd``.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        return (
            li.quantity
            * li.unit_price
            * (1 - li.discount_pct)
            * 12
            / Decimal(li.interval_months)
            * book.rate_to_usd(li.currency)
        )


def is_active_on(li: LineItem, day: dt.date) -> bool:
    """``start_date <= day < end_date`` (empty end date = open ended) (``#line-item-arr``)."""
    return li.start_date <= day and (li.end_date is None or day < li.end_date)


def round_cents(amount: Decimal) -> Decimal:
    """``#month-snapshot``: to six decimals, then to cents, each half away from zero.

    (``ROUND_HALF_UP`` is Python's "ties away from zero", for negative amounts too.)
    """
    return amount.quantize(MICRO, rounding=ROUND_HALF_UP).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class _ArrGrid:
    """ARR of every account at every spine month, as cent-exact Decimals."""

    months: list[dt.date]
    snapshots: list[dt.date]
    accounts: list[str]
    arr: dict[tuple[str, dt.date], Decimal]

    def get(self, account_id: str, month: dt.date) -> Decimal:
        return self.arr.get((account_id, month), ZERO)


def _arr_grid(book: Book, as_of: dt.date) -> _ArrGrid:
    """Account ARR at each month snapshot (``#month-snapshot``).

    The account-level sum of line ARR is rounded to cents once (not line by line).
    """
    spine = month_snapshots(book, as_of)
    lines = _recurring_lines(book, as_of)
    accounts = sorted({li.account_id for li in lines})
    by_account: dict[str, list[LineItem]] = defaultdict(list)
    for li in lines:
        by_account[li.account_id].append(li)
    arr = {}
    for account_id in accounts:
        for month, snapshot in spine:
            with localcontext() as ctx:
                ctx.prec = 60
                total = sum(
                    (
                        line_arr(book, li)
                        for li in by_account[account_id]
                        if is_active_on(li, snapshot)
                    ),
                    ZERO,
                )
            arr[(account_id, month)] = round_cents(total)
    return _ArrGrid(
        months=[m for m, _ in spine], snapshots=[s for _, s in spine], accounts=accounts, arr=arr
    )


def account_month_arr(book: Book, as_of: dt.date) -> dict[tuple[str, dt.date], float]:
    """ARR per ``(account_id, month_first_day)`` at each month snapshot (``#month-snapshot``).

    Keys cover every account with a recurring line started by ``as_of`` and every spine month,
    including months with ARR 0.
    """
    grid = _arr_grid(book, as_of)
    return {key: float(value) for key, value in grid.arr.items()}


def total_month_arr(book: Book, as_of: dt.date) -> dict[dt.date, float]:
    """Book ARR per spine month (sum of account ARR at the snapshot)."""
    grid = _arr_grid(book, as_of)
    return {m: float(sum((grid.get(a, m) for a in grid.accounts), ZERO)) for m in grid.months}


# --------------------------------------------------------------------------------------------
# Movements
# --------------------------------------------------------------------------------------------


def classify(previous_arr: Decimal, arr: Decimal, had_arr_before: bool) -> str | None:
    """Movement type of one account-month (``#movements``); None when both are 0.

    The zero-to-positive branches are tested before expansion, so every branch can fire.
    """
    if previous_arr == 0 and arr == 0:
        return None
    if previous_arr == 0 and arr > 0:
        return "reactivation" if had_arr_before else "new"
    if previous_arr > 0 and arr == 0:
        return "churn"
    if arr > previous_arr:
        return "expansion"
    if arr < previous_arr:
        return "contraction"
    return "flat"


def _movements(grid: _ArrGrid, reactivation_window_months: int | None = None) -> list[dict]:
    """Movement rows with Decimal amounts; see :func:`movements`."""
    rows = []
    for account_id in grid.accounts:
        last_positive_index = None  # spine index of the latest month with ARR > 0
        for i, month in enumerate(grid.months):
            arr = grid.get(account_id, month)
            previous = grid.get(account_id, grid.months[i - 1]) if i > 0 else ZERO
            movement_type = classify(previous, arr, last_positive_index is not None)
            if movement_type == "reactivation" and reactivation_window_months is not None:
                gap = i - last_positive_index - 1  # months at ARR 0 between the two positives
                if gap > reactivation_window_months:
                    movement_type = "new"
            if movement_type is not None:
                rows.append(
                    {
                        "account_id": account_id,
                        "month": month,
                        "arr": arr,
                        "previous_arr": previous,
                        "movement_type": movement_type,
                        "movement_arr": arr - previous,
                    }
                )
            if arr > 0:
                last_positive_index = i
    return rows


def _floats(row: dict) -> dict:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def movements(
    book: Book, as_of: dt.date, reactivation_window_months: int | None = None
) -> list[dict]:
    """One row per account-month with ARR > 0 in the month or the month before (``#movements``).

    Columns: ``account_id, month, arr, previous_arr, movement_type, movement_arr`` where
    ``movement_type`` is new | reactivation | expansion | contraction | churn | flat and
    ``movement_arr = arr - previous_arr`` (signed). The first spine month's ``previous_arr`` is 0
    (nothing is known before it). With ``reactivation_window_months`` set, a return whose zero-ARR
    gap (months at 0 between the last positive month and this one) is longer than the window is
    labelled ``new`` (``#movements``, "Reactivation"). Sorted by account, then month.
    """
    grid = _arr_grid(book, as_of)
    return [_floats(r) for r in _movements(grid, reactivation_window_months)]


# --------------------------------------------------------------------------------------------
# Waterfall
# --------------------------------------------------------------------------------------------


def waterfall(
    book: Book,
    as_of: dt.date,
    grain: str = "month",
    reactivation_window_months: int | None = None,
) -> list[dict]:
    """ARR waterfall per month / quarter / year (``#waterfall``).

    One row per period from the period of the first month with ARR to the period of ``as_of``.
    ``starting_arr`` is the ARR at the snapshot of the month before the period's first spine
    month (0 when that month is before the spine); ``ending_arr`` the ARR at the period's last
    snapshot (``as_of`` for the current period). Amounts are sums of the monthly movements in the
    period; contraction and churn are positive. Customer counts: starting/ending = accounts with
    ARR > 0 at those snapshots; new/reactivated/churned = movements of that type; expanded and
    contracted = account-months. Identities (tested)::

        starting_arr + new + reactivation + expansion - contraction - churned = ending_arr
        starting_customers + new + reactivated - churned = ending_customers
    """
    grid = _arr_grid(book, as_of)
    moves = _movements(grid, reactivation_window_months)

    def book_arr(month: dt.date | None) -> Decimal:
        if month is None:
            return ZERO
        return sum((grid.get(a, month) for a in grid.accounts), ZERO)

    def customers(month: dt.date | None) -> int:
        if month is None:
            return 0
        return sum(1 for a in grid.accounts if grid.get(a, month) > 0)

    periods: dict[dt.date, list[dt.date]] = {}
    for month in _reporting_months(grid):
        periods.setdefault(period_start(month, grain), []).append(month)

    rows = []
    for start, months in periods.items():
        first_index = grid.months.index(months[0])
        before = grid.months[first_index - 1] if first_index > 0 else None
        in_period = [m for m in moves if m["month"] in months]

        def amount(kind: str, moves_in_period=in_period) -> Decimal:
            return sum(
                (m["movement_arr"] for m in moves_in_period if m["movement_type"] == kind), ZERO
            )

        def count(kind: str, moves_in_period=in_period) -> int:
            return sum(1 for m in moves_in_period if m["movement_type"] == kind)

        row = {
            "period_start": start,
            "starting_arr": book_arr(before),
            "new_arr": amount("new"),
            "reactivation_arr": amount("reactivation"),
            "expansion_arr": amount("expansion"),
            "contraction_arr": -amount("contraction"),
            "churned_arr": -amount("churn"),
            "ending_arr": book_arr(months[-1]),
            "starting_customers": customers(before),
            "new_customers": count("new"),
            "reactivated_customers": count("reactivation"),
            "expanded_customers": count("expansion"),
            "contracted_customers": count("contraction"),
            "churned_customers": count("churn"),
            "ending_customers": customers(months[-1]),
        }
        rows.append(_floats(row))
    return rows


# --------------------------------------------------------------------------------------------
# Window retention (NRR / GRR / logo)
# --------------------------------------------------------------------------------------------


def arr_band(arr: Decimal | float) -> str:
    """Band of an ARR amount (``#arr-bands``; lower bound inclusive, upper exclusive)."""
    arr = _to_decimal(arr)
    for lower, upper, name in ARR_BANDS:
        if arr >= lower and (upper is None or arr < upper):
            return name
    raise ValueError(f"negative ARR {arr}")


def _ratio(numerator, denominator) -> float | None:
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        return float(Decimal(numerator) / Decimal(denominator))


def _window_metrics(grid: _ArrGrid, cohort: list[str], start: dt.date, end: dt.date) -> dict:
    """Point-to-point metrics of ``cohort`` between two snapshots (``#retention``)."""
    starting = ending = expansion = contraction = churned = capped = ZERO
    retained = 0
    for account_id in cohort:
        a0 = grid.get(account_id, start)
        a1 = grid.get(account_id, end)
        starting += a0
        ending += a1
        capped += min(a0, a1)
        if a1 > 0:
            retained += 1
        if a1 == 0:
            churned += a0
        elif a1 < a0:
            contraction += a0 - a1
        else:
            expansion += a1 - a0
    return {
        "cohort_customers": len(cohort),
        "starting_arr": float(starting),
        "ending_arr": float(ending),
        "expansion_arr": float(expansion),
        "contraction_arr": float(contraction),
        "churned_arr": float(churned),
        "retained_customers": retained,
        "nrr": _ratio(ending, starting),
        "grr": _ratio(capped, starting),
        "logo_retention": _ratio(retained, len(cohort)) if starting else None,
    }


def _windows(grid: _ArrGrid, window_months: int) -> list[tuple[dt.date, dt.date]]:
    """``(E - w, E)`` for every month ``E`` whose window start is a reporting month."""
    if window_months < 1:
        raise ValueError("window_months must be >= 1")
    months = _reporting_months(grid)
    return [(months[i - window_months], months[i]) for i in range(window_months, len(months))]


def _reporting_months(grid: _ArrGrid) -> list[dt.date]:
    """Spine months from the first month in which any account has ARR > 0 (``#waterfall``:
    "from the first month with ARR"); earlier spine months hold only zero-priced lines."""
    for index, month in enumerate(grid.months):
        if any(grid.get(a, month) > 0 for a in grid.accounts):
            return grid.months[index:]
    return []


def retention(book: Book, as_of: dt.date, window_months: int) -> list[dict]:
    """NRR, GRR and logo retention over a ``w``-month window ending at each month (``#retention``).

    The cohort is every account with ARR > 0 at the snapshot of ``E - w``. Rows:
    ``as_of_month (=E), window_months, cohort_customers, starting_arr, ending_arr, expansion_arr,
    contraction_arr, churned_arr, retained_customers, nrr, grr, logo_retention``, with
    ``ending = starting + expansion - contraction - churned`` per account; nrr/grr/logo are None
    when the cohort is empty (starting ARR 0).
    """
    grid = _arr_grid(book, as_of)
    rows = []
    for start, end in _windows(grid, window_months):
        cohort = [a for a in grid.accounts if grid.get(a, start) > 0]
        rows.append(
            {"as_of_month": end, "window_months": window_months}
            | _window_metrics(grid, cohort, start, end)
        )
    return rows


def retention_by_dimension(
    book: Book, as_of: dt.date, window_months: int, dimension: str
) -> list[dict]:
    """:func:`retention` cut by one dimension (``#retention``, "Cuts").

    ``segment``, ``region``, ``icp_tier`` and ``acquisition_channel`` are the account's current
    attributes (as strings; None if the account has no row or no value); ``arr_band`` is the band
    of the account's ARR at the window start ``E - w``. One row per ``(E, dimension_value)`` whose
    cohort is not empty, with the columns of :func:`retention` plus ``dimension`` and
    ``dimension_value``; sorted by month then value.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    grid = _arr_grid(book, as_of)
    rows = []
    for start, end in _windows(grid, window_months):
        groups: dict[str | None, list[str]] = defaultdict(list)
        for account_id in grid.accounts:
            arr0 = grid.get(account_id, start)
            if arr0 <= 0:
                continue
            if dimension == "arr_band":
                value = arr_band(arr0)
            else:
                value = book.accounts.get(account_id, {}).get(dimension)
            groups[value].append(account_id)
        for value in sorted(groups, key=lambda v: (v is None, v or "")):
            rows.append(
                {
                    "as_of_month": end,
                    "window_months": window_months,
                    "dimension": dimension,
                    "dimension_value": value,
                }
                | _window_metrics(grid, groups[value], start, end)
            )
    return rows


# --------------------------------------------------------------------------------------------
# Cohorts by start
# --------------------------------------------------------------------------------------------


def first_arr_months(book: Book, as_of: dt.date) -> dict[str, dt.date]:
    """Each account's first spine month with ARR > 0 (``#cohorts``); accounts never > 0 omitted."""
    grid = _arr_grid(book, as_of)
    firsts = {}
    for account_id in grid.accounts:
        for month in grid.months:
            if grid.get(account_id, month) > 0:
                firsts[account_id] = month
                break
    return firsts


def cohort_retention(book: Book, as_of: dt.date, grain: str = "month") -> list[dict]:
    """Retention by start cohort (``#cohorts``), for segment ``'all'`` and for each segment.

    The cohort is the month (``grain='month'``) or quarter (``'quarter'``) of the account's first
    ARR > 0; reactivated accounts keep it. ``months_since_start = k`` counts months from the
    account's own first ARR month. At ``k`` only accounts whose month ``first + k`` is not after
    the month of ``as_of`` are counted. Rows: ``segment, cohort_start, months_since_start,
    cohort_customers, active_customers, starting_arr (sum of first-month ARR of the counted
    accounts), arr (sum ARR at first + k), grr_arr (sum of min(arr_k, first_arr)),
    logo_retention, revenue_retention, grr``. A row exists for each k with at least one counted
    account. Sorted by segment ('all' first), cohort, k.
    """
    if grain not in ("month", "quarter"):
        raise ValueError(f"unknown cohort grain {grain!r}")
    grid = _arr_grid(book, as_of)
    firsts = first_arr_months(book, as_of)
    last_month = month_start(as_of)

    def segment_of(account_id: str) -> str | None:
        return book.accounts.get(account_id, {}).get("segment")

    segments = sorted({segment_of(a) for a in firsts}, key=lambda v: (v is None, v or ""))
    rows = []
    for segment in ["all", *segments]:
        members = [a for a in firsts if segment == "all" or segment_of(a) == segment]
        cohorts: dict[dt.date, list[str]] = defaultdict(list)
        for account_id in members:
            cohorts[period_start(firsts[account_id], grain)].append(account_id)
        for cohort_start in sorted(cohorts):
            accounts = cohorts[cohort_start]
            k = 0
            while True:
                counted = [a for a in accounts if add_months(firsts[a], k) <= last_month]
                if not counted:
                    break
                first_arr = {a: grid.get(a, firsts[a]) for a in counted}
                arr_k = {a: grid.get(a, add_months(firsts[a], k)) for a in counted}
                starting = sum(first_arr.values(), ZERO)
                arr = sum(arr_k.values(), ZERO)
                grr_arr = sum((min(arr_k[a], first_arr[a]) for a in counted), ZERO)
                active = sum(1 for a in counted if arr_k[a] > 0)
                rows.append(
                    {
                        "segment": segment,
                        "cohort_start": cohort_start,
                        "months_since_start": k,
                        "cohort_customers": len(counted),
                        "active_customers": active,
                        "starting_arr": float(starting),
                        "arr": float(arr),
                        "grr_arr": float(grr_arr),
                        "logo_retention": _ratio(active, len(counted)),
                        "revenue_retention": _ratio(arr, starting),
                        "grr": _ratio(grr_arr, starting),
                    }
                )
                k += 1
    return rows
