"""The generator's feedback texts: varied wording, labels apart from the raw tables, planted theme
effects that the raw tables show, and wording that moves nothing else.

The planted effects are recomputed here from the raw tables and the truth file with plain
pandas (ARR events from the line items by the rules of docs/definitions.md, texts joined to their
labels), independently of ``nrr_engine.generate.feedback_text``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nrr_engine.generate import feedback_text, generate
from nrr_engine.generate import util as generate_util

END = "2026-10-31"
THEMES = [
    "ux",
    "performance",
    "reliability",
    "missing_feature",
    "pricing",
    "billing",
    "onboarding",
    "support",
    "integrations",
    "competitor",
    "praise",
]
TONES = {"positive", "neutral", "negative", "urgent"}
#: text columns of the raw tables, and the id column their truth rows carry
TEXTS = {
    "support_tickets": ("ticket_id", ["subject", "body"], "created_at"),
    "nps_responses": ("response_id", ["comment"], "responded_at"),
    "feedback_items": ("feedback_id", ["body"], "created_at"),
    "churn_surveys": ("survey_id", ["comment"], "submitted_at"),
    "cs_activities": ("activity_id", ["notes"], "occurred_at"),
    "crm_events": ("crm_event_id", ["details"], "occurred_at"),
}
#: ordinary words of annoyed or urgent customers (written for this test, not a project lexicon)
UPSET_WORDS = re.compile(
    r"frustrat|unacceptable|disappoint|annoy|fed up|terrible|awful|unhappy|not happy|poor|mess|"
    r"wasting|expected better|urgent|blocked|cancel|escalat|asap|critical|losing money|p1\]",
    re.IGNORECASE,
)


def read(path: Path, name: str) -> pd.DataFrame:
    return pq.read_table(path / f"{name}.parquet").to_pandas()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("voc_small")
    generate(accounts=300, months=24, seed=7, out_dir=out, end_date=END)
    return out


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """Large enough for the planted effects to be measurable."""
    out = tmp_path_factory.mktemp("voc_book")
    generate(accounts=1000, months=36, seed=42, out_dir=out, end_date=END)
    return out


def truth_joined(path: Path) -> pd.DataFrame:
    """Every text with its account, day and labels."""
    truth = read(path, "feedback_truth")
    frames = []
    for name, (id_col, cols, ts_col) in TEXTS.items():
        raw = read(path, name)
        raw = raw[raw[cols].notna().any(axis=1)]
        frame = pd.DataFrame(
            {
                "source_table": name,
                "row_id": raw[id_col],
                "account_id": raw["account_id"],
                "day": raw[ts_col].dt.tz_convert("UTC").dt.date,
                "text": raw[cols].fillna("").agg(" ".join, axis=1),
            }
        )
        frames.append(frame)
    texts = pd.concat(frames, ignore_index=True)
    joined = texts.merge(truth, on=["source_table", "row_id"], how="outer", indicator=True)
    assert (joined["_merge"] == "both").all(), joined["_merge"].value_counts()
    joined["theme_set"] = joined["themes"].fillna("").map(lambda s: set(s.split("|")) - {""})
    return joined.drop(columns="_merge")


# ------------------------------------------------------------------------------ the truth file
def test_every_text_has_one_truth_row_and_valid_labels(small):
    joined = truth_joined(small)
    assert not joined.duplicated(["source_table", "row_id"]).any()
    assert set(joined["tone"]) <= TONES
    assert set().union(*joined["theme_set"]) == set(THEMES)
    # a named competitor is spelled loosely in the text, but always recognisably
    named = joined[joined["competitor"].notna()]
    assert len(named) > 20
    first_words = named["competitor"].str.split().str[0].str.lower()
    found = [w in t.lower() for w, t in zip(first_words, named["text"], strict=True)]
    assert sum(found) / len(found) > 0.95  # a typo may hit the name
    assert (named["theme_set"].map(lambda s: "competitor" in s)).all()
    mixed = joined["theme_set"].map(lambda s: "praise" in s and len(s) > 1)
    assert (joined["is_mixed"] == mixed).all()


def test_the_raw_tables_carry_no_labels(small):
    for name in TEXTS:
        cols = set(pq.read_schema(small / f"{name}.parquet").names)
        assert not cols & {"themes", "tone", "is_mixed"}, name


# ------------------------------------------------------------------------------ diversity
def test_wording_is_varied(small):
    joined = truth_joined(small)
    customer = joined[
        joined["source_table"].isin(["support_tickets", "nps_responses", "feedback_items"])
    ]
    for theme in THEMES:
        texts = customer.loc[customer["theme_set"].map(lambda s, t=theme: t in s), "text"]
        # competitor texts are the rarest (a few dozen in this book): nearly all distinct
        assert texts.nunique() >= min(60, 0.9 * len(texts)), (theme, texts.nunique(), len(texts))
        assert len(texts) >= 30, theme
    for name in ("support_tickets", "nps_responses", "feedback_items"):
        texts = joined.loc[joined["source_table"] == name, "text"]
        top_share = texts.value_counts(normalize=True).iloc[0]
        assert top_share <= 0.02, (name, top_share)
    bodies = read(small, "support_tickets")["body"]
    assert bodies.nunique() / len(bodies) > 0.95
    # no single sentence dominates what customers wrote (openers and closers included)
    sentences = customer["text"].str.split(r"(?<=[.!?])\s+").explode()
    sentences = sentences[sentences.str.len() > 25]
    assert sentences.value_counts(normalize=True).iloc[0] < 0.02


def test_every_theme_has_at_least_25_templates():
    from nrr_engine.generate.feedback_banks import CORES

    assert set(CORES) == set(THEMES)
    for theme, templates in CORES.items():
        assert len(set(templates)) >= 25, theme


def test_upset_texts_use_ordinary_negative_words(small):
    """A tone lexicon still finds the tone: annoyed and urgent tickets say so in plain words,
    calm ones rarely do."""
    joined = truth_joined(small)
    tickets = joined[joined["source_table"] == "support_tickets"]
    upset = tickets["text"].str.contains(UPSET_WORDS)
    by_tone = upset.groupby(tickets["tone"]).mean()
    assert by_tone["urgent"] > 0.95, by_tone
    assert by_tone["negative"] > 0.8, by_tone
    assert by_tone["neutral"] < 0.15, by_tone


# ------------------------------------------------------------------------------ planted effects
def arr_events(lines: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """Churn, contraction and expansion days per account: ARR on each day a line starts or
    ends, against the day before."""
    rec = lines[(lines["line_type"] == "recurring") & (lines["unit_price"] > 0)].copy()
    rec["arr"] = (rec["quantity"] * rec["unit_price"] * (1 - rec["discount_pct"]) * 12) / rec[
        "interval_months"
    ]
    days = pd.concat(
        [
            rec[["account_id", "start_date"]].rename(columns={"start_date": "day"}),
            rec[["account_id", "end_date"]].rename(columns={"end_date": "day"}).dropna(),
        ]
    ).drop_duplicates()
    pairs = days.merge(rec[["account_id", "start_date", "end_date", "arr"]], on="account_id")

    def live(on):
        return (pairs["start_date"] <= on) & (pairs["end_date"].isna() | (on < pairs["end_date"]))

    pairs["after"] = pairs["arr"].where(live(pairs["day"]), 0.0)
    pairs["before"] = pairs["arr"].where(live(pairs["day"] - dt.timedelta(days=1)), 0.0)
    arr = pairs.groupby(["account_id", "day"], as_index=False)[["before", "after"]].sum()
    arr[["before", "after"]] = arr[["before", "after"]].round(2)
    arr = arr[arr["day"] <= end]
    both = (arr["before"] > 0) & (arr["after"] > 0)
    arr["outcome"] = None
    arr.loc[(arr["before"] > 0) & (arr["after"] <= 0), "outcome"] = "churn"
    arr.loc[both & (arr["after"] < arr["before"]), "outcome"] = "contraction"
    arr.loc[both & (arr["after"] > arr["before"]), "outcome"] = "expansion"
    return arr.dropna(subset=["outcome"])[["account_id", "day", "outcome"]]


def recount(path: Path) -> tuple[list[dict], list[dict]]:
    """The manifest's effects, and the same figures recomputed from the raw tables."""
    manifest = json.loads((path / "generator_manifest.json").read_text())
    block = manifest["feedback_theme_effects"]
    lines = read(path, "subscription_line_items")
    events = arr_events(lines, dt.date.fromisoformat(manifest["window"]["end_date"]))
    joined = truth_joined(path)
    texts = joined[
        joined["source_table"].isin(block["sources"]) & joined["account_id"].notna()
    ].reset_index(drop=True)
    texts["text_key"] = texts.index
    out = []
    for effect in block["effects"]:
        lo, hi = effect["window_days"]
        ev = events[events["outcome"] == effect["outcome"]]
        pairs = texts[["text_key", "account_id", "day"]].merge(
            ev[["account_id", "day"]].rename(columns={"day": "event_day"}), on="account_id"
        )
        gap = (pd.to_datetime(pairs["event_day"]) - pd.to_datetime(pairs["day"])).dt.days
        in_win = set(pairs.loc[(gap >= lo) & (gap <= hi), "text_key"])
        win = texts["text_key"].isin(in_win)
        has = texts["theme_set"].map(lambda s, t=effect["theme"]: t in s)
        out.append(
            {
                "events": len(ev),
                "texts_in_window": int(win.sum()),
                "mentions_in_window": int((win & has).sum()),
                "texts_outside_window": int((~win).sum()),
                "mentions_outside_window": int((~win & has).sum()),
                "accounts_in_window": texts.loc[win, "account_id"].nunique(),
                "accounts_mentioning_in_window": texts.loc[win & has, "account_id"].nunique(),
            }
        )
    return block["effects"], out


def test_manifest_effects_are_what_the_raw_tables_show(book):
    effects, recounted = recount(book)
    assert {(e["outcome"], e["theme"]) for e in effects} >= {
        ("churn", "reliability"),
        ("contraction", "pricing"),
        ("expansion", "praise"),
    }
    for effect, mine in zip(effects, recounted, strict=True):
        realised = {k: v for k, v in effect["realised"].items() if k in mine}
        assert effect["events"] == mine.pop("events"), effect
        assert realised == mine, (effect["outcome"], effect["theme"])


def test_texts_before_an_event_mention_the_planted_theme_more(book):
    """The mention share in the window is near rate_multiplier times the share outside, and
    far from chance (one-sided z of a binomial proportion). Recomputed from the raw tables."""
    effects, recounted = recount(book)
    for effect, mine in zip(effects, recounted, strict=True):
        m = effect["rate_multiplier"]
        p_out = mine["mentions_outside_window"] / mine["texts_outside_window"]
        n_in = mine["texts_in_window"]
        p_in = mine["mentions_in_window"] / n_in
        ratio = p_in / p_out
        z = (p_in - p_out) / math.sqrt(p_out * (1 - p_out) / n_in)
        label = (effect["outcome"], effect["theme"], round(ratio, 2), round(z, 1), n_in)
        # the window holds a few hundred texts: a quarter or a third off is sampling noise
        assert m / 1.35 <= ratio <= 1.35 * m, label
        assert z > 3, label


# ------------------------------------------------------------------------------ nothing else moves
def test_same_seed_same_texts(small, tmp_path):
    generate(accounts=300, months=24, seed=7, out_dir=tmp_path, end_date=END)
    for name in [*TEXTS, "feedback_truth"]:
        a = (tmp_path / f"{name}.parquet").read_bytes()
        assert a == (small / f"{name}.parquet").read_bytes(), name
    effects = [json.loads((p / "generator_manifest.json").read_text()) for p in (tmp_path, small)]
    assert effects[0]["feedback_theme_effects"] == effects[1]["feedback_theme_effects"]


def test_other_wording_moves_no_other_column(small, tmp_path, monkeypatch):
    """The wording and the planted themes draw from streams of their own: seeded differently,
    every table keeps its bytes except the text columns, and those keep their nulls."""

    def other_streams(seed, name, *extra):
        return generate_util.rng_for(seed + 1, name, *extra)

    monkeypatch.setattr(feedback_text, "rng_for", other_streams)
    generate(accounts=300, months=24, seed=7, out_dir=tmp_path, end_date=END)
    for path in sorted(small.glob("*.parquet")):
        name = path.stem
        if name not in TEXTS and name != "feedback_truth":
            assert path.read_bytes() == (tmp_path / path.name).read_bytes(), name
            continue
        if name == "feedback_truth":
            continue
        cols = TEXTS[name][1]
        a, b = read(small, name), read(tmp_path, name)
        pd.testing.assert_frame_equal(a.drop(columns=cols), b.drop(columns=cols))
        for col in cols:
            assert (a[col].isna() == b[col].isna()).all(), (name, col)
            assert (a[col] != b[col]).mean() > 0.5, (name, col)
    # the win-back model matches "fiscal calendar" in survey comments: the same rows name it
    surveys = [read(p, "churn_surveys") for p in (small, tmp_path)]
    fiscal = [s["comment"].str.contains("fiscal calendar", case=False, na=False) for s in surveys]
    assert fiscal[0].equals(fiscal[1])
