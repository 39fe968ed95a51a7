"""The feedback classifier: sentences -> themes, tone and competitors -> one row per text.

``classify(texts)`` is the API the command and the dbt Python models call. The default
classifier (``default_classifier``) is trained on the train split of the labelled set
(``labelled/feedback_labelled.csv``) plus the themes seed's examples, with the settings of
``DEFAULT_SETTINGS`` chosen by cross-validation inside the train split (README, "Voice of the
customer: the classifier"). Training is deterministic and takes 8-17 s on the 2-core machine;
it is done once per process and seed folder.

Rules (docs/definitions.md#feedback-classifier):

- themes: each sentence gets every theme whose probability reaches ``theme_threshold`` (model),
  or whose seed phrase it contains (rules), or either (combined); a text's themes are the union
  of its sentences'; a text with none gets its most probable theme when that reaches
  ``fallback_threshold``;
- tone: per sentence (``tone.py``), then the most pressing sentence tone;
- competitor: every competitor whose name or alias occurs as whole words, in order of first
  mention, ``|``-separated;
- confidence: the highest theme probability of the text (over its sentences and themes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from nrr_engine.feedback.taxonomy import LABELLED_CSV, TONES, Taxonomy, load_taxonomy
from nrr_engine.feedback.text import normalise, phrase_pattern, split_sentences
from nrr_engine.feedback.themes import PhraseRules, ThemeModel, labels_matrix, seed_examples
from nrr_engine.feedback.tone import (
    HybridToneModel,
    ToneCues,
    ToneModel,
    UrgencyRules,
    combine_tones,
    lexicon_scores,
    sentence_tones,
    tone_score,
    vader_scores,
)

THEME_METHODS = ("rules", "model", "combined")
TONE_METHODS = ("lexicon", "vader", "cues", "model", "hybrid")


@dataclass(frozen=True)
class Settings:
    theme_method: str = "combined"
    theme_threshold: float = 0.6
    fallback_threshold: float = 0.0
    theme_c: float = 10.0
    tone_method: str = "hybrid"
    tone_c: float = 50.0
    signal_weight: float = 0.3
    positive_from: float = 0.2
    negative_from: float = 0.2

    def __post_init__(self):
        if self.theme_method not in THEME_METHODS:
            raise ValueError(f"theme_method must be one of {THEME_METHODS}")
        if self.tone_method not in TONE_METHODS:
            raise ValueError(f"tone_method must be one of {TONE_METHODS}")


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Classified:
    """``texts``: one row per input text; ``sentences``: one row per sentence."""

    texts: pd.DataFrame
    sentences: pd.DataFrame


class FeedbackClassifier:
    def __init__(self, taxonomy: Taxonomy, settings: Settings = DEFAULT_SETTINGS):
        self.taxonomy = taxonomy
        self.settings = settings
        self.theme_names = taxonomy.theme_names
        self.rules = PhraseRules(taxonomy)
        self.urgency = UrgencyRules(taxonomy)
        self.competitor_patterns = [
            (
                name,
                phrase_pattern(
                    [alias for alias, owner in taxonomy.competitor_aliases if owner == name]
                ),
            )
            for name in taxonomy.competitors
        ]
        self.cues = ToneCues(taxonomy)
        self.theme_model: ThemeModel | None = None
        self.tone_model: ToneModel | HybridToneModel | None = None

    def fit(self, texts, themes, tones) -> FeedbackClassifier:
        """Train on labelled texts (``themes`` ``|``-separated cells, ``tones`` one of TONES)
        plus the seed's examples (themes only: they carry no tone label)."""
        texts = [normalise(t) for t in texts]
        example_texts, example_labels = seed_examples(self.taxonomy)
        labels = labels_matrix(list(themes), self.theme_names)
        self.theme_model = ThemeModel(self.theme_names, c=self.settings.theme_c).fit(
            texts + example_texts, np.vstack([labels, example_labels])
        )
        if self.settings.tone_method == "model":
            self.tone_model = ToneModel(c=self.settings.tone_c).fit(texts, list(tones))
        elif self.settings.tone_method == "hybrid":
            self.tone_model = HybridToneModel(
                self.taxonomy, c=self.settings.tone_c, signal_weight=self.settings.signal_weight
            ).fit(texts, list(tones))
        return self

    def competitors(self, text: str) -> list[str]:
        found = []
        for name, pattern in self.competitor_patterns:
            match = pattern.search(text) if pattern is not None else None
            if match:
                found.append((match.start(), name))
        return [name for _, name in sorted(found)]

    def _tones(self, texts, sentences, owner, reasons, distinct, occurrence):
        """Sentence tones and scores, and text tones and scores (see tone.py). ``distinct``: the
        distinct sentences, ``occurrence``: which of them each sentence is (scored once)."""
        method, settings = self.settings.tone_method, self.settings
        if method in ("model", "hybrid") and self.tone_model is None:
            raise RuntimeError("the tone model is not trained: call fit first")
        if method == "hybrid":
            singles = [[s] for s in distinct]
            sentence_p = (
                self.tone_model.probabilities(distinct, singles)[occurrence]
                if sentences
                else np.zeros((0, len(TONES)))
            )
            groups = [[] for _ in texts]
            for index, sentence in zip(owner, sentences, strict=True):
                groups[index].append(sentence)
            # a text's tone depends on the text alone (its sentences are split from it): each
            # distinct text is scored once too
            first = {}  # each distinct text: the position it first occurs at
            for index, text in enumerate(texts):
                first.setdefault(text, index)
            scored = list(first.values())
            rank = {text: number for number, text in enumerate(first)}
            text_at = np.array([rank[text] for text in texts], dtype=int)
            text_p = (
                self.tone_model.probabilities(
                    [texts[i] for i in scored], [groups[i] for i in scored]
                )[text_at]
                if texts
                else np.zeros((0, len(TONES)))
            )
            return (
                [TONES[i] for i in sentence_p.argmax(axis=1)],
                tone_score(sentence_p),
                [TONES[i] for i in text_p.argmax(axis=1)],
                tone_score(text_p),
            )
        if method == "cues":
            tones = [self.cues.tone(s, r) for s, r in zip(sentences, reasons, strict=True)]
            scores = np.array(
                [{"positive": 1.0, "negative": -1.0, "urgent": -1.0}.get(t, 0.0) for t in tones]
            )
        else:
            if method == "lexicon":
                scores = lexicon_scores(sentences, self.taxonomy.lexicon)
            elif method == "vader":
                scores = vader_scores(sentences)
            else:
                scores = (
                    tone_score(self.tone_model.probabilities(sentences))
                    if sentences
                    else np.zeros(0)
                )
            tones = sentence_tones(scores, reasons, settings.positive_from, settings.negative_from)
        by_text_tones = [[] for _ in texts]
        by_text_scores = [[] for _ in texts]
        for index, tone, score in zip(owner, tones, scores, strict=True):
            by_text_tones[index].append(tone)
            by_text_scores[index].append(score)
        return (
            tones,
            np.asarray(scores, dtype=float),
            [combine_tones(t) for t in by_text_tones],
            np.array([float(np.mean(s)) if s else 0.0 for s in by_text_scores]),
        )

    def classify(self, texts, ids=None) -> Classified:
        """Classify ``texts`` (any iterable of strings; ``ids`` default 0..n-1)."""
        texts = [normalise(t) for t in texts]
        ids = list(range(len(texts))) if ids is None else list(ids)
        if len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        owner, sentences = [], []
        for index, text in enumerate(texts):
            for sentence in split_sentences(text):
                owner.append(index)
                sentences.append(sentence)
        owner = np.array(owner, dtype=int)
        names = self.theme_names
        settings = self.settings
        # A sentence's themes, urgency and tone depend on the sentence alone, and feedback
        # repeats itself (a corpus of 7,000 sentences held 2,600 distinct ones): each distinct
        # sentence is scored once and its results copied to every place it occurs.
        distinct = list(dict.fromkeys(sentences))
        position = {sentence: number for number, sentence in enumerate(distinct)}
        occurrence = np.array([position[sentence] for sentence in sentences], dtype=int)

        if settings.theme_method in ("model", "combined"):
            if self.theme_model is None:
                raise RuntimeError("the theme model is not trained: call fit first")
            probabilities = (
                self.theme_model.predict_proba(distinct)[occurrence]
                if sentences
                else np.zeros((0, len(names)))
            )
        else:
            probabilities = np.zeros((len(sentences), len(names)))
        hits = self.rules.hits(distinct)[occurrence]
        if settings.theme_method == "rules":
            chosen = hits
            probabilities = hits.astype(float)
        elif settings.theme_method == "model":
            chosen = probabilities >= settings.theme_threshold
        else:
            chosen = (probabilities >= settings.theme_threshold) | hits

        distinct_reasons = [self.urgency.reason(s) for s in distinct]
        reasons = [distinct_reasons[number] for number in occurrence]
        tones, scores, text_tones, text_scores = self._tones(
            texts, sentences, owner, reasons, distinct, occurrence
        )

        text_chosen = np.zeros((len(texts), len(names)), dtype=bool)
        text_best = np.zeros((len(texts), len(names)))
        np.logical_or.at(text_chosen, owner, chosen)
        np.maximum.at(text_best, owner, probabilities)
        if settings.theme_method != "rules":
            has_sentences = np.bincount(owner, minlength=len(texts)) > 0
            empty = ~text_chosen.any(axis=1) & has_sentences
            best = text_best.argmax(axis=1) if len(names) else np.zeros(len(texts), dtype=int)
            fallback = empty & (text_best.max(axis=1, initial=0.0) >= settings.fallback_threshold)
            text_chosen[np.flatnonzero(fallback), best[fallback]] = True

        sentence_rows = pd.DataFrame(
            {
                "id": [ids[i] for i in owner],
                "sentence_number": _numbering(owner),
                "sentence": sentences,
                "themes": [
                    "|".join(n for n, c in zip(names, row, strict=True) if c) for row in chosen
                ],
                "sentiment": tones,
                "tone_score": np.round(scores, 4),
                "urgency_reason": reasons,
            }
        )
        by_text_reasons = [[] for _ in texts]
        for index, reason in zip(owner, reasons, strict=True):
            if reason:
                by_text_reasons[index].append(reason)
        text_rows = pd.DataFrame(
            {
                "id": ids,
                "themes": [
                    "|".join(n for n, c in zip(names, row, strict=True) if c) for row in text_chosen
                ],
                "sentiment": text_tones,
                "tone_score": np.round(text_scores, 4),
                "competitor": ["|".join(self.competitors(text)) for text in texts],
                "confidence": np.round(text_best.max(axis=1, initial=0.0), 3),
                "urgency_reason": ["|".join(dict.fromkeys(r)) for r in by_text_reasons],
                "sentences": np.bincount(owner, minlength=len(texts)) if len(texts) else [],
            }
        )
        return Classified(texts=text_rows, sentences=sentence_rows)


def _numbering(owner: np.ndarray) -> np.ndarray:
    """1, 2, ... within each run of equal owners."""
    numbers = np.ones(len(owner), dtype=int)
    for position in range(1, len(owner)):
        if owner[position] == owner[position - 1]:
            numbers[position] = numbers[position - 1] + 1
    return numbers


def read_labelled(path: str | Path | None = None, split: str | None = None) -> pd.DataFrame:
    """The labelled set (``id,split,source,text,themes,sentiment,competitor``), or one split."""
    path = Path(path) if path is not None else LABELLED_CSV
    if not path.is_file():
        raise FileNotFoundError(f"labelled set not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        frame = pd.DataFrame(list(csv.DictReader(handle)), dtype=str).fillna("")
    if split is not None:
        frame = frame[frame["split"] == split].reset_index(drop=True)
    return frame


def train_classifier(
    taxonomy: Taxonomy, train: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> FeedbackClassifier:
    return FeedbackClassifier(taxonomy, settings).fit(
        train["text"].tolist(), train["themes"].tolist(), train["sentiment"].tolist()
    )


@cache
def _default_classifier(seeds_dir: str | None, labelled: str | None) -> FeedbackClassifier:
    taxonomy = load_taxonomy(seeds_dir)
    return train_classifier(taxonomy, read_labelled(labelled, split="train"))


def default_classifier(
    seeds_dir: str | Path | None = None,
    labelled: str | Path | None = None,
) -> FeedbackClassifier:
    """The shipped classifier: ``DEFAULT_SETTINGS``, trained on the labelled train split."""
    return _default_classifier(
        None if seeds_dir is None else str(seeds_dir), None if labelled is None else str(labelled)
    )


def classify(texts: pd.Series, ids=None, seeds_dir: str | Path | None = None) -> Classified:
    """Themes, tone, competitors and confidence per text and per sentence (``Classified``).

    ``ids`` default to the index of ``texts``. Output per text: ``id, themes`` (``|``-separated),
    ``sentiment, tone_score`` (mean sentence score), ``competitor, confidence, urgency_reason,
    sentences``; per sentence: ``id, sentence_number, sentence, themes, sentiment, tone_score,
    urgency_reason``.
    """
    series = pd.Series(texts)
    if ids is None:
        ids = series.index
    return default_classifier(seeds_dir).classify(series.tolist(), ids=list(ids))
