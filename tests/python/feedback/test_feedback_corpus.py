"""nrr_engine.feedback_corpus: the corpus handed to the classifier and shaped into the two
tables the dbt Python models write (one row per text, one per sentence)."""

from __future__ import annotations

import pandas as pd
import pytest

from nrr_engine.feedback_corpus import (
    SENTENCE_COLUMNS,
    TEXT_COLUMNS,
    classified_sentences,
    classified_texts,
)

CORPUS = pd.DataFrame(
    {
        "text_id": ["ticket:T1", "nps:N1", "feedback:F1"],
        "text": [
            "The dashboard has been down since this morning. We are looking at Acme instead.",
            "Love the new reports!",
            "Globex is cheaper. Northwind has better connectors. Your export keeps failing.",
        ],
    }
)


def test_one_row_per_text_in_the_corpus_order_with_typed_columns():
    texts = classified_texts(CORPUS)
    assert list(texts.columns) == TEXT_COLUMNS
    assert texts["text_id"].tolist() == CORPUS["text_id"].tolist()
    # sentences counted by hand: 2, 1, 3
    assert texts["sentence_count"].tolist() == [2, 1, 3]
    assert texts["sentiment"].isin(["positive", "neutral", "negative", "urgent"]).all()
    assert texts["confidence"].between(0, 1).all()


def test_competitors_are_read_per_text_and_per_sentence():
    texts = classified_texts(CORPUS).set_index("text_id")
    # seeds/feedback_competitors.csv: acme -> Acme Analytics, globex -> Globex Insights,
    # northwind -> Northwind Metrics; in order of first mention
    assert texts.loc["ticket:T1", "competitors"] == "Acme Analytics"
    assert texts.loc["nps:N1", "competitors"] == ""
    assert texts.loc["feedback:F1", "competitors"] == "Globex Insights|Northwind Metrics"

    sentences = classified_sentences(CORPUS)
    assert list(sentences.columns) == SENTENCE_COLUMNS
    by_key = sentences.set_index(["text_id", "sentence_number"])["competitors"].to_dict()
    assert by_key == {
        ("ticket:T1", 1): "",
        ("ticket:T1", 2): "Acme Analytics",
        ("nps:N1", 1): "",
        ("feedback:F1", 1): "Globex Insights",
        ("feedback:F1", 2): "Northwind Metrics",
        ("feedback:F1", 3): "",
    }


def test_the_sentence_rows_say_what_the_text_rows_say():
    """A text's themes are its sentences' themes plus, for a text whose sentences carry none,
    the classifier's best guess. Its tone is the tone model's reading of the whole text (with
    its sentences' signals), each sentence's that of the sentence alone
    (docs/definitions.md#feedback-classifier): a text of one sentence reads as that sentence,
    a longer one need not take any one sentence's tone."""
    texts = classified_texts(CORPUS).set_index("text_id")
    sentences = classified_sentences(CORPUS)
    for text_id, group in sentences.groupby("text_id"):
        sentence_themes = {t for cell in group["themes"] for t in cell.split("|") if t}
        text_themes = set(filter(None, texts.loc[text_id, "themes"].split("|")))
        assert sentence_themes <= text_themes
        if len(group) == 1:
            assert texts.loc[text_id, "sentiment"] == group["sentiment"].iloc[0]
            assert texts.loc[text_id, "tone_score"] == group["tone_score"].iloc[0]
    assert (sentences.groupby("text_id").size() == 1).sum() == 1  # nps:N1 checks the above


def test_an_empty_text_keeps_its_row_and_has_no_sentence():
    # the corpus model leaves empty texts out; here they must still not break the shapes
    corpus = pd.DataFrame({"text_id": ["a", "b"], "text": ["", None]})
    texts = classified_texts(corpus)
    assert texts["text_id"].tolist() == ["a", "b"]
    assert texts["sentence_count"].tolist() == [0, 0]
    assert classified_sentences(corpus).empty


def test_a_corpus_without_its_columns_or_with_repeated_ids_is_refused():
    with pytest.raises(ValueError, match="lacks column"):
        classified_texts(pd.DataFrame({"id": ["a"], "text": ["x"]}))
    with pytest.raises(ValueError, match="repeats a text_id"):
        classified_texts(pd.DataFrame({"text_id": ["a", "a"], "text": ["x", "y"]}))
