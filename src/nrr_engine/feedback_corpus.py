"""The feedback corpus classified for the warehouse: the dbt Python models of
python_models/feedback (and `nrr-calibrate-warehouse` off DuckDB) call these two functions.

Both hand the corpus (``int_feedback_corpus_unified``: ``text_id, text``) to the classifier of
``nrr_engine.feedback`` (the same code as ``python -m nrr_engine.feedback classify``) and shape
its output into typed tables:

- ``classified_texts``: one row per text: ``text_id, themes`` (``|``-separated, in the order of
  the themes seed), ``sentiment, tone_score, competitors`` (``|``-separated, empty when none),
  ``confidence, urgency_reason, sentence_count``;
- ``classified_sentences``: one row per sentence: ``text_id, sentence_number, sentence, themes,
  sentiment, tone_score, urgency_reason, competitors`` (the competitors named in that
  sentence), so that a quote or a comparison with a competitor is read from the sentence that
  says it, not from the whole text.

The SQL splits the ``|`` lists by joining the seeds (``feedback_themes``,
``feedback_competitors``), so the lists hold seed names only.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import pandas as pd

from nrr_engine.feedback import Classified, default_classifier

TEXT_COLUMNS = [
    "text_id",
    "themes",
    "sentiment",
    "tone_score",
    "competitors",
    "confidence",
    "urgency_reason",
    "sentence_count",
]
SENTENCE_COLUMNS = [
    "text_id",
    "sentence_number",
    "sentence",
    "themes",
    "sentiment",
    "tone_score",
    "urgency_reason",
    "competitors",
]


def _corpus_columns(corpus: pd.DataFrame) -> tuple[list[str], list[str]]:
    missing = [column for column in ("text_id", "text") if column not in corpus.columns]
    if missing:
        raise ValueError(f"the corpus lacks column(s) {', '.join(missing)}")
    if corpus["text_id"].duplicated().any():
        raise ValueError("the corpus repeats a text_id: one row per text is expected")
    return corpus["text_id"].astype(str).tolist(), corpus["text"].fillna("").astype(str).tolist()


@lru_cache(maxsize=2)
def _classified(ids: tuple[str, ...], texts: tuple[str, ...], seeds_dir: str | None) -> Classified:
    # the two Python models classify the same corpus in one dbt process: classify it once
    return default_classifier(seeds_dir).classify(list(texts), ids=list(ids))


#: dbt runs the two Python models on two threads at once: the second waits for the first's
#: classification and reads it from the cache instead of classifying the corpus a second time
_CLASSIFYING = threading.Lock()


def _classify(corpus: pd.DataFrame, seeds_dir: str | Path | None) -> Classified:
    ids, texts = _corpus_columns(corpus)
    with _CLASSIFYING:
        return _classified(tuple(ids), tuple(texts), None if seeds_dir is None else str(seeds_dir))


def classified_texts(corpus: pd.DataFrame, seeds_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per text of ``corpus`` (columns ``TEXT_COLUMNS``)."""
    result = _classify(corpus, seeds_dir).texts
    frame = pd.DataFrame(
        {
            "text_id": result["id"].astype(str),
            "themes": result["themes"].astype(str),
            "sentiment": result["sentiment"].astype(str),
            "tone_score": result["tone_score"].astype(float),
            "competitors": result["competitor"].astype(str),
            "confidence": result["confidence"].astype(float),
            "urgency_reason": result["urgency_reason"].astype(str),
            "sentence_count": result["sentences"].astype("int64"),
        }
    )
    return frame[TEXT_COLUMNS].reset_index(drop=True)


def classified_sentences(corpus: pd.DataFrame, seeds_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per sentence of the texts of ``corpus`` (columns ``SENTENCE_COLUMNS``)."""
    classifier = default_classifier(None if seeds_dir is None else str(seeds_dir))
    result = _classify(corpus, seeds_dir).sentences
    frame = pd.DataFrame(
        {
            "text_id": result["id"].astype(str),
            "sentence_number": result["sentence_number"].astype("int64"),
            "sentence": result["sentence"].astype(str),
            "themes": result["themes"].astype(str),
            "sentiment": result["sentiment"].astype(str),
            "tone_score": result["tone_score"].astype(float),
            "urgency_reason": result["urgency_reason"].fillna("").astype(str),
            # typed, so that an empty corpus still gives a text column
            "competitors": pd.Series(
                ["|".join(classifier.competitors(sentence)) for sentence in result["sentence"]],
                index=result.index,
                dtype=str,
            ),
        }
    )
    return frame[SENTENCE_COLUMNS].reset_index(drop=True)
