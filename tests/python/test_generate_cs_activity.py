"""Tests of the generator's customer-success activity: holdout, cs_activities and planted saves."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path

import polars as pl
import pytest

from nrr_engine.generate import constants as C
from nrr_engine.generate import cs_activity, generate
from nrr_engine.interventions import holdout_bucket, is_holdout

SMALL = dict(accounts=400, months=24, end_date="2026-10-31", fmt="parquet")
WINDOW_START = dt.datetime(2024, 11, 1, tzinfo=dt.UTC)
END_TS = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SEEDS = (13, 29)
LEVEL_OWNERS = {
    "executive_outreach": {"vp_cs", "founder"},
    "qbr": {f"csm_{i}" for i in range(1, 13)},
    "training": {f"csm_{i}" for i in range(1, 13)},
}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[int, Path]:
    out = {}
    for seed in SEEDS:
        out[seed] = tmp_path_factory.mktemp(f"cs{seed}")
        generate(seed=seed, out_dir=out[seed], **SMALL)
    return out


def _read(path: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(path / f"{name}.parquet")


def _bucket_by_hand(salt: str, account_id: str) -> float:
    return int(hashlib.md5((salt + account_id).encode("utf-8")).hexdigest()[:4], 16) / 65536.0


def test_holdout_bucket_is_the_md5_expression():
    for account_id in ("A000001", "A000002", "A000399", "acct-42"):
        assert holdout_bucket(account_id, "nrr-holdout-v1") == _bucket_by_hand(
            "nrr-holdout-v1", account_id
        )
    # one digest written out: md5("nrr-holdout-v1A000001") starts with these four hex digits
    first4 = hashlib.md5(b"nrr-holdout-v1A000001").hexdigest()[:4]
    assert holdout_bucket("A000001", "nrr-holdout-v1") == int(first4, 16) / 65536.0
    assert holdout_bucket("A000001", "other-salt") != holdout_bucket("A000001", "nrr-holdout-v1")
    assert is_holdout("A000001", 1.0, "s") and not is_holdout("A000001", 0.0, "s")


@pytest.mark.parametrize("seed", SEEDS)
def test_ground_truth_holdout_is_the_hash(books, seed):
    gt = _read(books[seed], "ground_truth")
    manifest = json.loads((books[seed] / "generator_manifest.json").read_text())
    salt, share = (
        manifest["cs_activity"]["holdout"]["salt"],
        manifest["cs_activity"]["holdout"]["share"],
    )
    assert (salt, share) == ("nrr-holdout-v1", 0.10)
    expected = [_bucket_by_hand(salt, a) < share for a in gt["account_id"]]
    assert gt["is_cs_holdout"].to_list() == expected
    assert 0.05 < sum(expected) / gt.height < 0.15


@pytest.mark.parametrize("seed", SEEDS)
def test_holdout_is_never_worked_nor_saved(books, seed):
    gt = _read(books[seed], "ground_truth")
    act = _read(books[seed], "cs_activities")
    hold = gt.filter(pl.col("is_cs_holdout"))
    assert hold.height > 10
    assert act.filter(pl.col("account_id").is_in(hold["account_id"].implode())).height == 0
    assert hold["cs_saved_level"].null_count() == hold.height
    assert hold["cs_save_attempt_level"].null_count() == hold.height
    # everyone else may be worked, and many are
    assert act["account_id"].n_unique() > 0.3 * (gt.height - hold.height)


@pytest.mark.parametrize("seed", SEEDS)
def test_activities_inside_window_after_creation(books, seed):
    act = _read(books[seed], "cs_activities")
    acc = _read(books[seed], "accounts").select("account_id", "created_at")
    assert act.height > 300
    assert act["activity_id"].n_unique() == act.height
    assert act.select(pl.exclude("notes")).null_count().sum_horizontal().item() == 0
    j = act.join(acc, on="account_id", how="left")
    assert j["created_at"].null_count() == 0
    assert (j["occurred_at"] >= j["created_at"]).all()
    assert (act["occurred_at"] >= WINDOW_START).all()
    assert (act["occurred_at"] < END_TS).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_types_and_owners(books, seed):
    act = _read(books[seed], "cs_activities")
    types = {
        "check_in",
        "value_content",
        "save_call",
        "recovery_plan",
        "concession",
        "executive_outreach",
        "qbr",
        "training",
    }
    assert set(act["activity_type"]) == types
    senior = {"senior_csm_1", "senior_csm_2", "senior_csm_3", "cs_manager_1", "cs_manager_2"}
    csms = {f"csm_{i}" for i in range(1, 13)}
    assert set(act["owner"]) <= csms | senior | {"vp_cs", "founder"}
    for activity_type, owners in LEVEL_OWNERS.items():
        assert set(act.filter(pl.col("activity_type") == activity_type)["owner"]) <= owners
    # saves are run by senior CS or executives, never by a CSM
    save_work = act.filter(pl.col("activity_type").is_in(["recovery_plan", "concession"]))
    assert not set(save_work["owner"]) & csms
    notes = act["notes"]
    assert abs(notes.null_count() / act.height - (1 - C.CS_NOTES_SHARE)) < 0.06


def test_realised_save_share_near_the_planted_probability(books):
    """Saves among worked save attempts: on-time touches at p, late at p * factor, else 0."""
    gt = pl.concat([_read(books[s], "ground_truth") for s in SEEDS])
    att = gt.filter(pl.col("cs_save_attempt_level").is_not_null())
    assert att.height > 80
    factor = {"on_time": 1.0, "late": C.CS_LATE_TOUCH_SAVE_FACTOR, "never": 0.0, "after_churn": 0.0}
    expected = var = saved = 0.0
    for row in att.iter_rows(named=True):
        p = (
            C.CS_SAVE_PROBABILITY[row["cs_save_attempt_level"]]
            * factor[row["cs_save_attempt_touch"]]
        )
        expected += p
        var += p * (1 - p)
        saved += row["cs_saved_level"] is not None
        if p == 0:
            assert row["cs_saved_level"] is None
    assert abs(saved - expected) <= 3 * math.sqrt(var), (saved, expected)
    on_time = att.filter(pl.col("cs_save_attempt_touch") == "on_time")
    share = on_time["cs_saved_level"].is_not_null().mean()
    planted = (
        sum(C.CS_SAVE_PROBABILITY[lv] for lv in on_time["cs_save_attempt_level"]) / on_time.height
    )
    assert abs(share - planted) < 0.12
    # a saved account was saved at the level it was attempted at, and has an averted churn date
    s = gt.filter(pl.col("cs_saved_level").is_not_null())
    assert s.height > 20
    assert (s["cs_saved_level"] == s["cs_save_attempt_level"]).all()
    assert s["cs_averted_churn_date"].null_count() == 0
    assert gt.filter(pl.col("cs_saved_level").is_null())["cs_averted_churn_date"].null_count() == (
        gt.height - s.height
    )
    # the averted churn did not happen; a saved monthly plan may decide to churn again later
    # (rarely on the same date, with a shorter notice)
    same_day = (s["churn_date"] == s["cs_averted_churn_date"]).fill_null(False)
    assert same_day.mean() < 0.1
    assert s["churn_date"].is_null().mean() > 0.7
    assert (s["cs_averted_churn_date"] <= dt.date(2026, 10, 31)).all()


def test_manifest_records_the_planted_parameters(books):
    cs = json.loads((books[13] / "generator_manifest.json").read_text())["cs_activity"]
    assert set(cs["save_probability"]) == {"early_warning", "active_save", "executive_escalation"}
    assert cs["late_touch_save_factor"] == C.CS_LATE_TOUCH_SAVE_FACTOR
    assert cs["sla_hours"] == {"early_warning": 48, "active_save": 24, "executive_escalation": 4}
    assert set(cs["levels"]) == set(cs["risk_health_below"]) == set(cs["save_probability"])
    assert isinstance(cs["description"], str) and cs["description"]
    counts = json.loads((books[13] / "generator_manifest.json").read_text())["row_counts"]
    assert counts["cs_activities"] == _read(books[13], "cs_activities").height


def test_same_arguments_same_bytes(books, tmp_path):
    generate(seed=13, out_dir=tmp_path, **SMALL)
    for name in ("cs_activities.parquet", "ground_truth.parquet", "generator_manifest.json"):
        assert (tmp_path / name).read_bytes() == (books[13] / name).read_bytes(), name


def test_cs_module_draws_from_no_other_stream(tmp_path, monkeypatch):
    """With saves switched off, the book equals one without any CS step: same bytes."""
    tiny = dict(accounts=150, months=12, end_date="2026-10-31", fmt="parquet")
    monkeypatch.setattr(cs_activity, "SAVE_P", cs_activity.SAVE_P * 0.0)
    generate(seed=5, out_dir=tmp_path / "no_saves", **tiny)
    monkeypatch.setattr(cs_activity.CsActivityMixin, "_cs_month", lambda self, t, win: None)
    generate(seed=5, out_dir=tmp_path / "no_cs", **tiny)
    rows = pl.read_parquet(tmp_path / "no_saves" / "cs_activities.parquet").height
    assert rows > 0
    for path in sorted((tmp_path / "no_cs").glob("*.parquet")):
        if path.name in ("cs_activities.parquet", "ground_truth.parquet", "feedback_truth.parquet"):
            continue
        assert path.read_bytes() == (tmp_path / "no_saves" / path.name).read_bytes(), path.name
    # the labels of the texts differ only by the CS notes
    truth = {
        book: pl.read_parquet(tmp_path / book / "feedback_truth.parquet").filter(
            pl.col("source_table") != "cs_activities"
        )
        for book in ("no_cs", "no_saves")
    }
    assert truth["no_cs"].height > 0
    assert truth["no_cs"].equals(truth["no_saves"])
