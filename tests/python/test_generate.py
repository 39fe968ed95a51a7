"""Tests of the demo-data generator (``python -m nrr_engine.generate``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from nrr_engine.generate import DRIVER_EFFECTS, FEATURE_CATALOGUE, SCHEMAS, TABLES, generate, main
from nrr_engine.generate.schema import ground_truth_schema

END = dt.date(2026, 10, 31)
END_TS = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SMALL = dict(accounts=150, months=18, end_date="2026-10-31")
ALL_FILES = [*TABLES, "ground_truth"]


def _hash_dir(path: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.iterdir())}


def _read(path: Path, name: str) -> pl.DataFrame:
    return pl.from_arrow(pq.read_table(path / f"{name}.parquet"))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate(seed=42, out_dir=out, fmt="parquet", **SMALL)
    return out


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """A book large enough for the planted effects to be measurable."""
    out = tmp_path_factory.mktemp("book")
    generate(accounts=1000, months=36, seed=42, out_dir=out, end_date="2026-10-31", fmt="parquet")
    return out


@pytest.fixture(scope="module")
def tables(book) -> dict[str, pl.DataFrame]:
    return {name: _read(book, name) for name in ALL_FILES}


# ------------------------------------------------------------------------------ determinism
def test_same_seed_same_bytes(small, tmp_path):
    generate(seed=42, out_dir=tmp_path, fmt="parquet", **SMALL)
    assert _hash_dir(tmp_path) == _hash_dir(small)


def test_other_seed_other_data(small, tmp_path):
    generate(seed=43, out_dir=tmp_path, fmt="parquet", **SMALL)
    a, b = _hash_dir(small), _hash_dir(tmp_path)
    assert a["accounts.parquet"] != b["accounts.parquet"]
    assert a["usage_events.parquet"] != b["usage_events.parquet"]


def test_cli_writes_all_files_and_manifest(tmp_path, capsys):
    rc = main(["--accounts", "60", "--months", "12", "--seed", "5", "--out", str(tmp_path)])
    assert rc == 0
    printed = capsys.readouterr().out
    for name in ALL_FILES:
        assert (tmp_path / f"{name}.parquet").exists()
        assert re.search(rf"^{name}\s+[\d,]+ rows$", printed, re.M), name
    assert "wrote" in printed
    manifest = json.loads((tmp_path / "generator_manifest.json").read_text())
    assert manifest["args"] == {
        "accounts": 60,
        "months": 12,
        "seed": 5,
        "end_date": "2026-10-31",
        "format": "parquet",
    }
    assert manifest["driver_effects"]["champion_departure"]["hazard_multiplier"] == 3.0
    assert set(manifest["driver_effects"]) == set(DRIVER_EFFECTS)
    for name in ALL_FILES:
        assert (
            manifest["row_counts"][name] == pq.read_metadata(tmp_path / f"{name}.parquet").num_rows
        )


# ------------------------------------------------------------------------------ schema
@pytest.mark.parametrize("name", TABLES)
def test_schema_exact(small, name):
    schema = pq.read_schema(small / f"{name}.parquet")
    assert schema.names == SCHEMAS[name].names
    assert [f.type for f in schema] == [f.type for f in SCHEMAS[name]]


def test_contract_column_order():
    assert TABLES == [
        "accounts",
        "subscription_line_items",
        "fx_rates",
        "users",
        "usage_events",
        "integrations",
        "support_tickets",
        "nps_responses",
        "feedback_items",
        "invoices",
        "crm_events",
        "community_activity",
        "churn_surveys",
        "cs_activities",
    ]
    assert SCHEMAS["subscription_line_items"].names == [
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
    assert SCHEMAS["usage_events"].names == [
        "event_id",
        "account_id",
        "user_id",
        "occurred_at",
        "feature",
        "session_id",
    ]
    assert SCHEMAS["users"].field("created_at").type == pa.timestamp("us", tz="UTC")
    assert SCHEMAS["invoices"].field("issued_at").type == pa.date32()


def test_ground_truth_schema(small):
    schema = pq.read_schema(small / "ground_truth.parquet")
    assert schema == ground_truth_schema(list(DRIVER_EFFECTS))
    assert schema.names[:5] == [
        "account_id",
        "churn_date",
        "churn_reason",
        "is_reactivated",
        "reactivated_at",
    ]
    for d in DRIVER_EFFECTS:
        assert f"has_{d}" in schema.names and f"{d}_at" in schema.names
    assert schema.names[-1] == "latent_health_at_end"


# ------------------------------------------------------------------------------ integrity
ID_COLUMNS = {
    "accounts": ["account_id"],
    "subscription_line_items": ["line_item_id"],
    "fx_rates": ["currency"],
    "users": ["user_id"],
    "usage_events": ["event_id"],
    "integrations": ["account_id", "integration_name", "connected_at"],
    "support_tickets": ["ticket_id"],
    "nps_responses": ["response_id"],
    "feedback_items": ["feedback_id"],
    "invoices": ["invoice_id"],
    "crm_events": ["crm_event_id"],
    "community_activity": ["activity_id"],
    "churn_surveys": ["survey_id"],
    "cs_activities": ["activity_id"],
    "ground_truth": ["account_id"],
}


@pytest.mark.parametrize("name", ALL_FILES)
def test_keys_unique_and_rows_distinct(tables, name):
    df = tables[name]
    assert df.height > 0, name
    assert df.select(ID_COLUMNS[name]).is_duplicated().sum() == 0
    assert df.is_duplicated().sum() == 0


def test_referential_integrity(tables):
    accounts = set(tables["accounts"]["account_id"])
    assert set(tables["ground_truth"]["account_id"]) == accounts
    for name in ALL_FILES:
        if name in ("accounts", "fx_rates"):
            continue
        ids = tables[name]["account_id"].drop_nulls()
        assert set(ids) <= accounts, name
        if name != "feedback_items":
            assert tables[name]["account_id"].null_count() == 0, name
    users = tables["users"].select("user_id", pl.col("account_id").alias("user_account"))
    for name in ("usage_events", "support_tickets", "nps_responses", "community_activity"):
        j = tables[name].join(users, on="user_id", how="left")
        assert j["user_account"].null_count() == 0, name
        assert (j["account_id"] == j["user_account"]).all(), name
    cur = tables["accounts"].join(tables["subscription_line_items"], on="account_id")
    assert cur.height == tables["subscription_line_items"].height
    inv = tables["invoices"].join(
        tables["subscription_line_items"]
        .select("account_id", pl.col("currency").alias("lc"))
        .unique(),
        on="account_id",
    )
    assert (inv["currency"] == inv["lc"]).all()


def test_value_domains(tables):
    t = tables

    def within(df, col, allowed):
        vals = set(df[col].drop_nulls().unique())
        assert vals <= set(allowed), (col, vals - set(allowed))

    within(t["accounts"], "segment", ["smb", "mid_market", "enterprise"])
    within(t["accounts"], "region", ["na", "emea", "apac", "latam"])
    within(t["accounts"], "icp_tier", [1, 2, 3])
    within(
        t["accounts"],
        "acquisition_channel",
        ["inbound", "outbound", "partner", "product_led", "event"],
    )
    assert t["accounts"]["industry"].n_unique() == 8
    li = t["subscription_line_items"]
    within(li, "line_type", ["recurring", "one_time", "usage"])
    within(li, "interval_months", [1, 12, 36])
    within(li, "currency", ["USD", "EUR", "GBP"])
    assert (li["quantity"] >= 0).all() and (li["unit_price"] >= 0).all()
    assert li["discount_pct"].is_between(0, 1).all()
    assert (li["end_date"].is_null() | (li["end_date"] > li["start_date"])).all()
    within(t["fx_rates"], "currency", ["EUR", "GBP"])
    within(t["users"], "role", ["champion", "executive_sponsor", "admin", "end_user"])
    u = t["users"]
    assert (u["deactivated_at"].is_null() | (u["deactivated_at"] > u["created_at"])).all()
    within(t["usage_events"], "feature", [f for f, _ in FEATURE_CATALOGUE])
    within(t["support_tickets"], "priority", ["low", "normal", "high", "urgent"])
    within(t["support_tickets"], "csat_score", [1, 2, 3, 4, 5])
    st = t["support_tickets"]
    assert (st["resolved_at"].is_null() | (st["resolved_at"] > st["created_at"])).all()
    within(t["nps_responses"], "score", range(11))
    within(
        t["feedback_items"],
        "source",
        ["review", "community", "sales_call", "cs_call", "feature_request", "social", "other"],
    )
    within(t["feedback_items"], "rating", [1, 2, 3, 4, 5])
    inv = t["invoices"]
    within(inv, "status", ["paid", "open", "failed", "void", "refunded"])
    assert (inv["amount"] >= 0).all() and (inv["attempt_count"] >= 0).all()
    assert (inv["due_date"] >= inv["issued_at"]).all()
    assert inv.filter(pl.col("status").is_in(["paid", "refunded"]))["paid_at"].null_count() == 0
    assert inv.filter(pl.col("status").is_in(["open", "failed", "void"]))[
        "paid_at"
    ].null_count() == (inv.filter(pl.col("status").is_in(["open", "failed", "void"])).height)
    within(
        t["crm_events"],
        "event_type",
        [
            "champion_left",
            "new_executive",
            "expansion_inquiry",
            "pricing_page_visit",
            "competitor_mention",
            "competitor_page_visit",
            "qbr_held",
            "executive_touch",
            "higher_tier_feature_attempt",
            "unlicensed_user_invited",
            "export_shared_externally",
            "outcome_milestone",
        ],
    )
    assert t["crm_events"]["event_type"].n_unique() == 12
    within(
        t["community_activity"],
        "activity_type",
        ["post", "reply", "event_attended", "template_shared", "certification"],
    )
    reasons = [
        "missing_feature",
        "budget",
        "champion_left",
        "poor_onboarding",
        "competitor",
        "poor_fit",
        "other",
    ]
    within(t["churn_surveys"], "reason_category", reasons)
    within(t["ground_truth"], "churn_reason", [*reasons, "involuntary_payment"])
    i = t["integrations"]
    assert (i["disconnected_at"].is_null() | (i["disconnected_at"] > i["connected_at"])).all()


def test_feature_catalogue():
    assert 18 <= len(FEATURE_CATALOGUE) <= 22
    assert {tier for _, tier in FEATURE_CATALOGUE} == {"core", "advanced", "workflow"}
    assert len({f for f, _ in FEATURE_CATALOGUE}) == len(FEATURE_CATALOGUE)


def test_nothing_dated_after_end_date(tables):
    for name, df in tables.items():
        for col, dtype in df.schema.items():
            if col in ("end_date", "due_date"):
                continue  # contract ends and due dates may lie in the future
            if isinstance(dtype, pl.Datetime):
                assert (df[col].drop_nulls() < END_TS).all(), (name, col)
            elif dtype == pl.Date:
                assert (df[col].drop_nulls() <= END).all(), (name, col)


def test_behaviour_inside_the_window(tables):
    start = dt.datetime(2023, 11, 1, tzinfo=dt.UTC)
    for name, col in (
        ("usage_events", "occurred_at"),
        ("support_tickets", "created_at"),
        ("nps_responses", "responded_at"),
        ("crm_events", "occurred_at"),
    ):
        assert (tables[name][col] >= start).all(), name
    # cohorts predate the history: some accounts were created and paying before the window
    assert (tables["accounts"]["created_at"] < start).sum() > 100
    assert (tables["subscription_line_items"]["start_date"] < start.date()).sum() > 100


def test_line_items_do_not_overlap(tables):
    li = tables["subscription_line_items"].sort("account_id", "product", "start_date")
    nxt = li.with_columns(
        next_start=pl.col("start_date").shift(-1).over("account_id", "product"),
    ).filter(pl.col("next_start").is_not_null())
    assert nxt["end_date"].null_count() == 0
    assert (nxt["end_date"] <= nxt["next_start"]).all()


def test_usage_inside_user_activity(tables):
    u = tables["users"].select("user_id", "created_at", "deactivated_at")
    ev = tables["usage_events"].join(u, on="user_id")
    assert (ev["occurred_at"] >= ev["created_at"]).all()
    assert (ev["deactivated_at"].is_null() | (ev["occurred_at"] < ev["deactivated_at"])).all()
    # events per session share account and user
    s = (
        tables["usage_events"]
        .group_by("session_id")
        .agg(pl.col("user_id").n_unique().alias("u"), pl.col("account_id").n_unique().alias("a"))
    )
    assert (s["u"] == 1).all() and (s["a"] == 1).all()


def test_licensed_users_match_seats(tables):
    """At end-date, licensed active users equal the seats of the core paid line."""
    li = tables["subscription_line_items"]
    seats = li.filter(
        (pl.col("product") == "platform")
        & (pl.col("unit_price") > 0)
        & (pl.col("start_date") <= END)
        & (pl.col("end_date").is_null() | (pl.col("end_date") > END))
    ).select("account_id", "quantity")
    users = (
        tables["users"]
        .filter(pl.col("is_licensed") & pl.col("deactivated_at").is_null())
        .group_by("account_id")
        .len()
    )
    j = seats.join(users, on="account_id", how="left")
    # the champion seat stays licensed while vacant, so users may trail seats by one
    diff = j["quantity"] - j["len"].fill_null(0)
    assert diff.is_between(0, 1).mean() > 0.95


# ------------------------------------------------------------------------------ formats
def test_csv_round_trip(small, tmp_path):
    counts = generate(seed=42, out_dir=tmp_path, fmt="csv", **SMALL)
    manifest = json.loads((tmp_path / "generator_manifest.json").read_text())
    assert manifest["row_counts"] == counts
    for name in ALL_FILES:
        t = pacsv.read_csv(tmp_path / f"{name}.csv")
        assert t.num_rows == counts[name] == pq.read_metadata(small / f"{name}.parquet").num_rows
        expected = (
            SCHEMAS[name].names
            if name in SCHEMAS
            else pq.read_schema(small / "ground_truth.parquet").names
        )
        assert t.column_names == expected
    text = (tmp_path / "users.csv").read_text().splitlines()
    ts = r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"'
    assert re.fullmatch(rf'"U\d+","A\d+","\w+",(true|false),{ts},({ts})?', text[1])
    li = (tmp_path / "subscription_line_items.csv").read_text()
    assert re.search(r",\d{4}-\d\d-\d\d,,", li)  # open-ended line: empty end_date


# ------------------------------------------------------------------------------ realism
def test_book_mix(tables):
    acc = tables["accounts"]
    share = acc["segment"].value_counts(normalize=True)
    smb = share.filter(pl.col("segment") == "smb")["proportion"][0]
    assert 0.5 < smb < 0.7
    li = tables["subscription_line_items"]
    assert li.filter(pl.col("currency") != "USD")["account_id"].n_unique() / acc.height > 0.08
    assert set(li["currency"]) == {"USD", "EUR", "GBP"}
    assert (li["interval_months"] == 36).sum() > 0
    paid = li.filter(pl.col("line_type") == "recurring")
    assert paid.filter(pl.col("unit_price") == 0)["plan"].unique().sort().to_list() == [
        "free",
        "trial",
    ]
    assert (li["line_type"] == "one_time").sum() > 0 and (li["line_type"] == "usage").sum() > 0
    assert paid.filter(pl.col("product") != "platform").height > 0  # add-ons
    assert (li["discount_pct"] > 0).sum() > 0
    # some lines start on a month's last day, some end on the 1st
    assert (li["start_date"] == li["start_date"].dt.month_end()).sum() > 0
    assert (li["end_date"].dt.day() == 1).sum() > 0
    # seat and plan changes: a line ends and the next starts on the same day
    chained = li.sort("account_id", "product", "start_date").with_columns(
        nxt=pl.col("start_date").shift(-1).over("account_id", "product")
    )
    assert (chained["end_date"] == chained["nxt"]).sum() > 100
    assert tables["usage_events"].height > 200_000


def _paid_spans(tables) -> pl.DataFrame:
    li = tables["subscription_line_items"]
    first = (
        li.filter((pl.col("line_type") == "recurring") & (pl.col("unit_price") > 0))
        .sort("start_date")
        .group_by("account_id")
        .agg(
            pl.col("start_date").first().alias("paid_start"),
            pl.col("interval_months").first().alias("ivl"),
        )
    )
    return (
        tables["ground_truth"]
        .join(first, on="account_id")
        .join(tables["accounts"], on="account_id")
    )


def _month(col: str) -> pl.Expr:
    return pl.col(col).dt.year() * 12 + pl.col(col).dt.month()


def _hazard_ratio(spans: pl.DataFrame, driver: str, window: int) -> float:
    """Churn hazard per active account-month in the ``window`` months after a driver's onset,
    divided by the hazard in all other active account-months."""
    end_m = END.year * 12 + END.month
    d = spans.with_columns(
        s=_month("paid_start") + 1, c=_month("first_churn_date"), o=_month(f"{driver}_at")
    )
    s = d["s"].to_numpy()
    c = d["c"].fill_null(end_m + 1).to_numpy()
    o = d["o"].fill_null(-(10**6)).to_numpy()
    months = np.arange(end_m - 35, end_m + 1)[None, :]
    active = (months >= s[:, None]) & (months <= c[:, None])
    churn = months == c[:, None]
    post = (months > o[:, None]) & (months <= o[:, None] + window)
    return churn[active & post].mean() / churn[active & ~post].mean()


def test_champion_departure_raises_churn(tables):
    spans = _paid_spans(tables)
    has = spans["has_champion_departure"]
    churned = spans["first_churn_date"].is_not_null()
    assert has.sum() > 50
    assert churned.filter(has).mean() > 1.5 * churned.filter(~has).mean()
    assert _hazard_ratio(spans, "champion_departure", 6) > 2.0
    # the traces come first: champion_left event, then the champion's deactivation
    crm = tables["crm_events"].filter(pl.col("event_type") == "champion_left")
    assert crm["account_id"].n_unique() == has.sum()
    gone = tables["users"].filter(
        (pl.col("role") == "champion") & pl.col("deactivated_at").is_not_null()
    )
    assert set(spans.filter(has)["account_id"]) <= set(gone["account_id"])
    # churn it causes comes at least a month after the departure
    lead = spans.filter(pl.col("first_churn_reason") == "champion_left")
    assert lead.height > 10
    gap = (lead["first_churn_date"] - lead["champion_departure_at"]).dt.total_days()
    assert gap.min() >= 28


@pytest.mark.parametrize(
    "driver,window",
    [
        ("payment_failure_unresolved", 3),
        ("competitor_evaluation", 6),
        ("activation_failure", 6),
        ("usage_decline", 6),
    ],
)
def test_other_drivers_raise_churn(tables, driver, window):
    spans = _paid_spans(tables)
    assert spans[f"has_{driver}"].sum() > 20
    assert _hazard_ratio(spans, driver, window) > 1.5


def test_icp_drift_recent_tier3_smb_churn_faster(tables):
    spans = _paid_spans(tables)
    cut = dt.datetime(2023, 11, 1, tzinfo=dt.UTC) + dt.timedelta(days=24 * 30.4)
    recent = spans.filter(
        (pl.col("segment") == "smb") & (pl.col("created_at") >= cut)
    ).with_columns(
        churned=pl.col("first_churn_date").is_not_null(),
        exposure=(
            pl.coalesce("first_churn_date", pl.lit(END)) - pl.col("paid_start")
        ).dt.total_days(),
    )
    g = recent.group_by(pl.col("icp_tier") == 3).agg(
        pl.col("churned").sum(), pl.col("exposure").sum()
    )
    rate = {r["icp_tier"]: r["churned"] / r["exposure"] for r in g.iter_rows(named=True)}
    assert rate[True] > 1.5 * rate[False]
    drift = spans.filter(pl.col("has_icp_drift"))
    assert (drift["segment"] == "smb").all() and (drift["icp_tier"] == 3).all()


def test_renewal_cliff_at_month_12(tables):
    """The cliff is in the churn decisions: a churn averted by customer success counts at the
    date it would have happened (a saved account that churns at its next renewal would
    otherwise move its first churn from month 12 to month 24)."""
    spans = (
        _paid_spans(tables)
        .with_columns(decided=pl.min_horizontal("first_churn_date", "cs_averted_churn_date"))
        .filter((pl.col("ivl") == 12) & pl.col("decided").is_not_null())
    )
    tenure = spans.select((_month("decided") - _month("paid_start")).alias("tenure"))[
        "tenure"
    ].value_counts()
    counts = dict(zip(tenure["tenure"], tenure["count"], strict=True))
    at12 = counts.get(12, 0)
    assert at12 == max(counts.values())
    assert at12 > 0.4 * sum(counts.values())
    assert at12 > 1.5 * counts.get(24, 0)
    # term contracts churn at renewals, apart from a few involuntary early terminations
    at_renewal = sum(v for k, v in counts.items() if k % 12 == 0)
    assert at_renewal > 0.85 * sum(counts.values())


def test_usage_declines_before_churn(tables):
    gt = tables["ground_truth"].filter(
        pl.col("churn_date").is_not_null()
        & ~pl.col("is_reactivated")
        & (pl.col("churn_date") >= dt.date(2024, 6, 1))
    )
    ev = (
        tables["usage_events"]
        .join(gt.select("account_id", "churn_date"), on="account_id")
        .with_columns(
            k=_month("churn_date")
            - pl.col("occurred_at").dt.year() * 12
            - pl.col("occurred_at").dt.month()
        )
        .group_by("account_id", "k")
        .len()
    )
    per_k = {k: ev.filter(pl.col("k") == k)["len"].sum() / gt.height for k in (1, 4)}
    assert per_k[1] < 0.6 * per_k[4]


def test_ground_truth_matches_line_items(tables):
    li = tables["subscription_line_items"].filter(
        (pl.col("line_type") == "recurring") & (pl.col("unit_price") > 0)
    )
    last = li.group_by("account_id").agg(
        pl.col("end_date").max().alias("last_end"), pl.col("end_date").null_count().alias("open")
    )
    gt = tables["ground_truth"].join(last, on="account_id", how="left")
    churned = gt.filter(pl.col("churn_date").is_not_null())
    assert churned.height > 100
    assert (churned["churn_date"] == churned["last_end"]).all()
    assert (churned["open"] == 0).all()
    active = gt.filter(pl.col("churn_date").is_null() & pl.col("last_end").is_not_null())
    assert ((active["open"] > 0) | (active["last_end"] > END)).all()
    # reactivations exist and restart paid lines after a gap of at least a month
    re_ = tables["ground_truth"].filter(pl.col("is_reactivated"))
    assert re_.height >= 10
    assert (re_["reactivated_at"] > re_["first_churn_date"]).all()
    assert (re_["reactivated_at"] - re_["first_churn_date"]).dt.total_days().min() >= 28
    # churn surveys mostly name the simulated reason
    sv = tables["churn_surveys"].join(tables["ground_truth"], on="account_id")
    agree = (sv["reason_category"] == sv["first_churn_reason"]) | (
        sv["reason_category"] == sv["churn_reason"]
    )
    assert agree.mean() > 0.6
    # payment-driven churn has failed invoices behind it
    inv = tables["ground_truth"].filter(pl.col("churn_reason") == "involuntary_payment")
    failed = tables["invoices"].filter(pl.col("attempt_count") >= 3)
    assert set(inv["account_id"]) <= set(failed["account_id"])
