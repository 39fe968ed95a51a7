"""The trained classifier kept between processes (feedback_corpus.stored_default_classifier):
loaded only where a fresh training gives the same classifier, and classifying as it does."""

from __future__ import annotations

import pickle

import pytest

from nrr_engine import feedback_corpus
from nrr_engine.feedback import default_classifier
from nrr_engine.feedback.classifier import read_labelled
from nrr_engine.feedback_corpus import classifier_fingerprint, stored_default_classifier


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "classifiers"
    monkeypatch.setenv("NRR_CLASSIFIER_STORE_DIR", str(folder))
    return folder


def trainings(monkeypatch) -> list[None]:
    """Counts the trainings (each call of default_classifier) from here on."""
    calls: list[None] = []

    def counted(seeds_dir=None):
        calls.append(None)
        return default_classifier(seeds_dir)

    monkeypatch.setattr(feedback_corpus, "default_classifier", counted)
    return calls


def test_a_stored_classifier_is_loaded_and_classifies_as_a_fresh_one(store, monkeypatch):
    calls = trainings(monkeypatch)
    fingerprint = classifier_fingerprint()
    stored_default_classifier(None, fingerprint)
    assert len(calls) == 1 and len(list(store.glob("classifier-*.pickle"))) == 1
    loaded = stored_default_classifier(None, fingerprint)
    assert len(calls) == 1  # the second came from the store
    texts = read_labelled(split="test")["text"].tolist()
    fresh = default_classifier().classify(texts)
    from_store = loaded.classify(texts)
    assert from_store.texts.equals(fresh.texts)
    assert from_store.sentences.equals(fresh.sentences)


def test_another_fingerprint_or_other_code_trains_anew(store, monkeypatch):
    calls = trainings(monkeypatch)
    stored_default_classifier(None, "fingerprint-a")
    stored_default_classifier(None, "fingerprint-b")
    monkeypatch.setattr(feedback_corpus, "_code_digest", lambda: "edited code")
    stored_default_classifier(None, "fingerprint-a")
    assert len(calls) == 3
    assert len(list(store.glob("classifier-*.pickle"))) == 3


def test_an_unreadable_store_file_is_trained_again_and_replaced(store, monkeypatch):
    calls = trainings(monkeypatch)
    stored_default_classifier(None, "fingerprint-a")
    (path,) = store.glob("classifier-*.pickle")
    path.write_bytes(b"not a pickle")
    classifier = stored_default_classifier(None, "fingerprint-a")
    assert len(calls) == 2 and classifier is not None
    with path.open("rb") as handle:
        assert type(pickle.load(handle)) is type(classifier)
    assert not list(store.glob("*.partial"))


def test_off_keeps_nothing_and_an_unwritable_store_still_classifies(tmp_path, monkeypatch):
    calls = trainings(monkeypatch)
    monkeypatch.setenv("NRR_CLASSIFIER_STORE_DIR", "off")
    stored_default_classifier(None, "fingerprint-a")
    blocked = tmp_path / "a file"
    blocked.write_text("a file where the store's folder would be")
    monkeypatch.setenv("NRR_CLASSIFIER_STORE_DIR", str(blocked / "classifiers"))
    assert stored_default_classifier(None, "fingerprint-a") is not None
    assert len(calls) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]
