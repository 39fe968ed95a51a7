"""The classification cache of nrr_engine.feedback_corpus: given the table a previous build
wrote, only new or changed texts are classified, and the result is what a full classification of
the current corpus gives (removed texts gone, changed ones re-classified, a new fingerprint
re-classifies everything, nothing trains when nothing is new)."""

from __future__ import annotations

import hashlib
import shutil

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from nrr_engine import feedback_corpus
from nrr_engine.feedback import default_classifier
from nrr_engine.feedback.taxonomy import DEFAULT_SEEDS_DIR
from nrr_engine.feedback_corpus import (
    FINGERPRINT_SEEDS,
    SENTENCE_COLUMNS,
    TEXT_COLUMNS,
    classifier_fingerprint,
    classify_corpus,
)

BEFORE = pd.DataFrame(
    {
        "text_id": ["t1", "t2", "t3", "t4"],
        "text": [
            "The dashboard has been down since this morning. We are looking at Acme instead.",
            "Love the new reports!",
            "Globex is cheaper. Northwind has better connectors. Your export keeps failing.",
            "Billing charged us twice this month.",
        ],
    }
)
# t2 edited, t3 removed, t5 new (and t4 moved ahead of t1: the corpus order is kept)
AFTER = pd.DataFrame(
    {
        "text_id": ["t4", "t1", "t2", "t5"],
        "text": [
            BEFORE.loc[3, "text"],
            BEFORE.loc[0, "text"],
            "Love the new reports! But onboarding took us three weeks.",
            "Support answered within an hour, thank you.",
        ],
    }
)


class Spy:
    """The default classifier, counting the texts it is asked to classify."""

    def __init__(self):
        self.inner = default_classifier()
        self.classified: list[str] = []

    def classify(self, texts, ids=None):
        self.classified.extend(ids)
        return self.inner.classify(texts, ids=ids)

    def competitors(self, text):
        return self.inner.competitors(text)


@pytest.mark.parametrize("kind", ["texts", "sentences"])
def test_only_changed_and_new_texts_are_classified_and_the_result_is_the_full_one(kind):
    previous, first = classify_corpus(BEFORE, kind, classifier=Spy())
    assert first.classified == 4 and first.reused == 0
    spy = Spy()
    result, report = classify_corpus(AFTER, kind, previous=previous, classifier=spy)
    assert sorted(spy.classified) == ["t2", "t5"]
    assert (report.texts, report.classified, report.reused, report.dropped) == (4, 2, 2, 2)
    full, _ = classify_corpus(AFTER, kind, classifier=Spy())
    assert_frame_equal(result, full)
    assert list(result.columns) == (TEXT_COLUMNS if kind == "texts" else SENTENCE_COLUMNS)
    assert "t3" not in set(result["text_id"])
    # the hash is sha1 of the text, computed here independently
    expected = {
        row.text_id: hashlib.sha1(row.text.encode("utf-8")).hexdigest()
        for row in AFTER.itertuples()
    }
    assert result["text_hash"].tolist() == result["text_id"].map(expected).tolist()
    assert result["text_id"].drop_duplicates().tolist() == ["t4", "t1", "t2", "t5"]


def test_the_sentences_of_a_changed_text_are_replaced_not_added():
    previous, _ = classify_corpus(BEFORE, "sentences", classifier=Spy())
    result, _ = classify_corpus(AFTER, "sentences", previous=previous, classifier=Spy())
    # "Love the new reports! But onboarding took us three weeks." has two sentences
    assert result.loc[result["text_id"] == "t2", "sentence_number"].tolist() == [1, 2]
    assert not result.duplicated(["text_id", "sentence_number"]).any()


def test_nothing_new_classifies_nothing_and_trains_nothing(monkeypatch):
    previous, _ = classify_corpus(BEFORE, "texts", classifier=Spy())

    def no_training(*args, **kwargs):
        raise AssertionError("the classifier was asked for although no text is new")

    monkeypatch.setattr(feedback_corpus, "default_classifier", no_training)
    result, report = classify_corpus(BEFORE, "texts", previous=previous)
    assert (report.classified, report.reused) == (0, 4)
    assert_frame_equal(result, previous)


def test_a_changed_fingerprint_reclassifies_everything(monkeypatch):
    previous, _ = classify_corpus(BEFORE, "texts", classifier=Spy())
    monkeypatch.setattr(feedback_corpus, "CLASSIFIER_VERSION", "test-bump")
    spy = Spy()
    result, report = classify_corpus(BEFORE, "texts", previous=previous, classifier=spy)
    assert sorted(spy.classified) == ["t1", "t2", "t3", "t4"]
    assert report.reused == 0 and "fingerprint changed" in report.note
    assert result["classifier_fingerprint"].nunique() == 1
    assert result.loc[0, "classifier_fingerprint"] != previous.loc[0, "classifier_fingerprint"]


def test_the_fingerprint_follows_every_seed_the_classifier_reads(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in FINGERPRINT_SEEDS:
        shutil.copy(DEFAULT_SEEDS_DIR / name, seeds / name)
    base = classifier_fingerprint(seeds)
    assert base == classifier_fingerprint(seeds) == classifier_fingerprint(DEFAULT_SEEDS_DIR)
    seen = {base}
    for name in FINGERPRINT_SEEDS:
        original = (seeds / name).read_bytes()
        (seeds / name).write_bytes(original + b"\n")
        seen.add(classifier_fingerprint(seeds))
        (seeds / name).write_bytes(original)
    assert len(seen) == len(FINGERPRINT_SEEDS) + 1
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("id,split,source,text,themes,sentiment,competitor\n")
    assert classifier_fingerprint(seeds, labelled) != base


def test_a_previous_table_without_the_cache_columns_is_not_reused():
    previous, _ = classify_corpus(BEFORE, "texts", classifier=Spy())
    spy = Spy()
    _, report = classify_corpus(
        BEFORE, "texts", previous=previous.drop(columns="text_hash"), classifier=spy
    )
    assert len(spy.classified) == 4 and "lacks text_hash" in report.note


def test_slices_give_the_same_rows_as_one_pass():
    for kind in ("texts", "sentences"):
        whole, _ = classify_corpus(AFTER, kind, classifier=Spy())
        sliced, _ = classify_corpus(AFTER, kind, classifier=Spy(), slice_size=1)
        assert_frame_equal(sliced, whole)
