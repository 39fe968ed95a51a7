"""Tone per sentence and per text: positive, neutral, negative, urgent.

Methods compared in the README (all per sentence first):

- ``lexicon``: the project's old 36-term tone lexicon (``labelled/old_sentiment_lexicon.csv``,
  the retired seed ``sentiment_lexicon`` that scored the health score's ticket tone before issue
  13): the summed weights of the terms found as lowercase substrings, clipped to -1..1; a
  baseline of the comparison only;
- ``vader``: VADER's compound score (``vaderSentiment``, its lexicon ships in the wheel);
- ``cues``: this package's B2B cues (``seeds/feedback_tone_cues.csv``): positive minus negative
  cues, a cue after "but"/"however" counting twice and a positive cue after a negator ("not
  great") counting as negative; a sentence with a request or question cue and at most a mild
  complaint is neutral;
- ``model``: TF-IDF logistic regression on the labelled texts' tones, applied per sentence,
  score = P(positive) - P(negative) - P(urgent);
- ``hybrid`` (the default): the same TF-IDF n-grams plus each text's sentence signals (cue
  counts, VADER's lowest, highest and mean sentence score, which tones its sentences have by
  the cue rule, which urgency reasons occur), one multinomial logistic regression.

For the score methods a sentence is positive when its score is at least ``positive_from``,
negative when it is at most ``-negative_from``, neutral otherwise; a sentence that is not positive
and matches an urgency rule (seed ``feedback_urgency_rules``) is urgent. Their text tone
(``combine_tones``) is the most pressing sentence tone: urgent, then negative, then positive,
then neutral. ``hybrid`` decides the text's tone from the whole text and its sentence signals,
and each sentence's tone from that sentence alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from nrr_engine.feedback.taxonomy import TONE_CUES, TONES, Taxonomy
from nrr_engine.feedback.text import normalise, phrase_pattern, split_sentences

#: sentences whose signals are remembered (the demo's texts repeat; bounded memory)
_CACHE = 100_000
#: characters before a positive cue searched for a negator ("not really great")
_NEGATION_REACH = 30
_CONTRAST = re.compile(r"\b(?:but|however|although|though|except)\b", re.IGNORECASE)
_NEGATED = re.compile(
    r"\b(?:not|no|nothing|never|isn't|wasn't|aren't|don't|doesn't|didn't|hardly)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


class UrgencyRules:
    """The urgency seed; ``reason(sentence)`` is the first rule's reason that matches, or ""."""

    def __init__(self, taxonomy: Taxonomy):
        self.rules = [
            (phrase_pattern([phrase]), reason) for phrase, reason in taxonomy.urgency_rules
        ]
        self.reasons = tuple(dict.fromkeys(reason for _, reason in taxonomy.urgency_rules))
        # one pass over the sentence first: most sentences match no rule
        self.any_rule = phrase_pattern([phrase for phrase, _ in taxonomy.urgency_rules])
        self.reason = lru_cache(maxsize=_CACHE)(self._reason)

    # pickled without the memo of this process (a trained classifier is kept between processes)
    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "reason"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.reason = lru_cache(maxsize=_CACHE)(self._reason)

    def _reason(self, sentence: str) -> str:
        if self.any_rule is None or not self.any_rule.search(sentence):
            return ""
        for pattern, reason in self.rules:
            if pattern is None:
                continue
            for hit in pattern.finditer(sentence):
                # "nothing urgent", "not a blocker": a negated phrase states no urgency
                before = sentence[max(0, hit.start() - _NEGATION_REACH) : hit.start()]
                if not _NEGATED.search(before):
                    return reason
        return ""


class ToneCues:
    """The B2B tone cues of ``seeds/feedback_tone_cues.csv`` (see the module docstring)."""

    def __init__(self, taxonomy: Taxonomy):
        self.patterns = {
            cue: phrase_pattern([p for p, c in taxonomy.tone_cues if c == cue]) for cue in TONE_CUES
        }
        self._counts = lru_cache(maxsize=_CACHE)(self._count)

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "_counts"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._counts = lru_cache(maxsize=_CACHE)(self._count)

    def counts(self, sentence: str) -> dict[str, float]:
        return dict(self._counts(sentence))

    def _count(self, sentence: str) -> dict[str, float]:
        sentence = normalise(sentence)
        contrast = _CONTRAST.search(sentence)
        result = dict.fromkeys(TONE_CUES, 0.0)
        for cue, pattern in self.patterns.items():
            if pattern is None:
                continue
            for hit in pattern.finditer(sentence):
                weight = 2.0 if contrast and hit.start() > contrast.start() else 1.0
                before = sentence[max(0, hit.start() - _NEGATION_REACH) : hit.start()]
                negated = cue == "positive" and _NEGATED.search(before)
                result["negative" if negated else cue] += weight
        result["question"] = float("?" in sentence)
        return result

    def tone(self, sentence: str, urgency_reason: str) -> str:
        counts = self.counts(sentence)
        score = counts["positive"] - counts["negative"]
        if urgency_reason and score <= 0:
            return "urgent"
        if (counts["request"] or counts["question"]) and score <= 1 and counts["negative"] < 2:
            return "neutral"
        return "positive" if score > 0 else "negative" if score < 0 else "neutral"


def lexicon_scores(sentences: Sequence[str], lexicon: Sequence[tuple[str, float]]) -> np.ndarray:
    """The project's lexicon: summed weights of the terms each sentence contains, in -1..1."""
    scores = np.zeros(len(sentences))
    for row, sentence in enumerate(sentences):
        lowered = normalise(sentence).lower()
        scores[row] = sum(weight for term, weight in lexicon if term in lowered)
    return np.clip(scores, -1.0, 1.0)


_VADER = None


def vader_scores(sentences: Sequence[str]) -> np.ndarray:
    """VADER's compound score per sentence (one analyser per process)."""
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return np.array([_VADER.polarity_scores(normalise(s))["compound"] for s in sentences])


def _ngrams() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )


def _probabilities(model: LogisticRegression, features) -> np.ndarray:
    """(row x tone) probabilities in the order of ``TONES`` (0 for a tone never trained on)."""
    raw = model.predict_proba(features)
    result = np.zeros((features.shape[0], len(TONES)))
    for column, tone in enumerate(model.classes_):
        result[:, TONES.index(tone)] = raw[:, column]
    return result


def tone_score(probabilities: np.ndarray) -> np.ndarray:
    """P(positive) - P(negative) - P(urgent), in -1..1."""
    return probabilities[:, 0] - probabilities[:, 2] - probabilities[:, 3]


class ToneModel:
    """Multinomial logistic regression over word and character TF-IDF n-grams of the tones."""

    def __init__(self, c: float = 10.0):
        self.vectoriser = _ngrams()
        self.model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)

    def fit(self, texts: Sequence[str], tones: Sequence[str]) -> ToneModel:
        self.model.fit(self.vectoriser.fit_transform([normalise(t) for t in texts]), list(tones))
        return self

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return _probabilities(self.model, self.vectoriser.transform([normalise(t) for t in texts]))


class HybridToneModel:
    """TF-IDF n-grams of a text plus its sentence signals, one multinomial logistic regression.

    The signals are standardised on the training texts and scaled by ``signal_weight`` so that
    they weigh about as much as a handful of n-grams (chosen by cross-validation on train).
    """

    def __init__(self, taxonomy: Taxonomy, c: float = 10.0, signal_weight: float = 0.3):
        self.urgency = UrgencyRules(taxonomy)
        self.cues = ToneCues(taxonomy)
        self.signal_weight = signal_weight
        self.vectoriser = _ngrams()
        self.model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
        self.mean = self.scale = None

    def signals(self, sentence_groups: Sequence[Sequence[str]]) -> np.ndarray:
        """One row per group of sentences (a text, or one sentence alone)."""
        rows = []
        for sentences in sentence_groups:
            sentences = list(sentences) or [""]
            counts = [self.cues.counts(s) for s in sentences]
            reasons = [self.urgency.reason(s) for s in sentences]
            tones = [self.cues.tone(s, r) for s, r in zip(sentences, reasons, strict=True)]
            vader = vader_scores(sentences)
            rows.append(
                [sum(c[k] for c in counts) for k in (*TONE_CUES, "question")]
                + [vader.min(), vader.max(), vader.mean()]
                + [float(tone in tones) for tone in TONES]
                + [float(reason in reasons) for reason in self.urgency.reasons]
            )
        return np.array(rows, dtype=float)

    def _features(self, texts: Sequence[str], groups: Sequence[Sequence[str]]):
        signals = (self.signals(groups) - self.mean) / self.scale * self.signal_weight
        ngrams = self.vectoriser.transform([normalise(t) for t in texts])
        return sparse.hstack([ngrams, sparse.csr_matrix(signals)]).tocsr()

    def fit(self, texts: Sequence[str], tones: Sequence[str]) -> HybridToneModel:
        texts = [normalise(t) for t in texts]
        self.vectoriser.fit(texts)
        signals = self.signals([split_sentences(t) for t in texts])
        self.mean = signals.mean(axis=0)
        self.scale = np.where(signals.std(axis=0) > 0, signals.std(axis=0), 1.0)
        features = self._features(texts, [split_sentences(t) for t in texts])
        self.model.fit(features, list(tones))
        return self

    def probabilities(self, texts: Sequence[str], groups: Sequence[Sequence[str]]) -> np.ndarray:
        """Per text, ``groups`` holding each text's sentences."""
        return _probabilities(self.model, self._features(texts, groups))


def sentence_tones(
    scores: np.ndarray,
    urgent_reasons: Sequence[str],
    positive_from: float,
    negative_from: float,
) -> list[str]:
    """Each sentence's tone from its score and its urgency reason ("" when none)."""
    tones = []
    for score, reason in zip(scores, urgent_reasons, strict=True):
        if score >= positive_from:
            tones.append("positive")
        elif reason:
            tones.append("urgent")
        elif score <= -negative_from:
            tones.append("negative")
        else:
            tones.append("neutral")
    return tones


def combine_tones(tones: Sequence[str]) -> str:
    """The text's tone: the most pressing of its sentences' (urgent, negative, positive,
    neutral in that order); neutral for a text without sentences."""
    for tone in ("urgent", "negative", "positive"):
        if tone in tones:
            return tone
    return "neutral"
