"""Theme detection: phrase rules from the themes seed and a TF-IDF linear model.

- ``PhraseRules``: a sentence has a theme when one of the theme's seed phrases occurs in it as
  whole words; a sentence that names a competitor (seed ``feedback_competitors``) has the theme
  ``competitor``.
- ``ThemeModel``: word (1-2) and character (2-5, within words) TF-IDF n-grams and one logistic
  regression per theme (one-vs-rest, balanced class weights, liblinear: deterministic), trained
  on whole labelled texts plus the seed's examples (each a one-theme text), applied per sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from nrr_engine.feedback.taxonomy import Taxonomy
from nrr_engine.feedback.text import normalise, phrase_pattern


class PhraseRules:
    """Seed phrases per theme; ``hits(sentences)`` is a boolean (sentence x theme) matrix."""

    def __init__(self, taxonomy: Taxonomy):
        self.theme_names = taxonomy.theme_names
        self.patterns = [phrase_pattern(theme.phrases) for theme in taxonomy.themes]
        self.competitor_pattern = phrase_pattern(
            [alias for alias, _ in taxonomy.competitor_aliases]
        )
        self.competitor_column = (
            self.theme_names.index("competitor") if "competitor" in self.theme_names else None
        )

    def hits(self, sentences: Sequence[str]) -> np.ndarray:
        result = np.zeros((len(sentences), len(self.theme_names)), dtype=bool)
        for row, sentence in enumerate(sentences):
            for column, pattern in enumerate(self.patterns):
                if pattern is not None and pattern.search(sentence):
                    result[row, column] = True
            if (
                self.competitor_column is not None
                and self.competitor_pattern is not None
                and self.competitor_pattern.search(sentence)
            ):
                result[row, self.competitor_column] = True
        return result


def _vectoriser() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True
                ),
            ),
        ]
    )


class ThemeModel:
    """One-vs-rest logistic regression on TF-IDF n-grams; ``predict_proba`` per text."""

    def __init__(self, theme_names: Sequence[str], c: float = 10.0):
        self.theme_names = tuple(theme_names)
        self.c = c
        self.vectoriser = _vectoriser()
        self.models: list[LogisticRegression | float] = []

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> ThemeModel:
        """``labels``: boolean (text x theme) matrix in the order of ``theme_names``."""
        features = self.vectoriser.fit_transform([normalise(t) for t in texts])
        self.models = []
        for column in range(labels.shape[1]):
            target = labels[:, column].astype(int)
            if target.min() == target.max():
                # a theme with no (or only) examples: a constant probability
                self.models.append(float(target[0]))
                continue
            model = LogisticRegression(
                C=self.c, solver="liblinear", class_weight="balanced", max_iter=1000
            )
            self.models.append(model.fit(features, target))
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        features = self.vectoriser.transform([normalise(t) for t in texts])
        columns = []
        for model in self.models:
            if isinstance(model, float):
                columns.append(np.full(features.shape[0], model))
            else:
                columns.append(model.predict_proba(features)[:, 1])
        return np.column_stack(columns) if columns else np.zeros((features.shape[0], 0))


def seed_examples(taxonomy: Taxonomy) -> tuple[list[str], np.ndarray]:
    """The themes seed's examples as training texts, each labelled with its own theme only."""
    texts, rows = [], []
    names = taxonomy.theme_names
    for theme in taxonomy.themes:
        for example in theme.examples:
            texts.append(example)
            rows.append([name == theme.name for name in names])
    return texts, np.array(rows, dtype=bool).reshape(len(rows), len(names))


def labels_matrix(themes: Sequence[str], theme_names: Sequence[str]) -> np.ndarray:
    """Boolean (text x theme) matrix of ``|``-separated theme cells."""
    names = list(theme_names)
    matrix = np.zeros((len(themes), len(names)), dtype=bool)
    for row, cell in enumerate(themes):
        for theme in normalise(cell).split("|"):
            theme = theme.strip()
            if not theme:
                continue
            if theme not in names:
                raise ValueError(f"unknown theme {theme!r} (themes: {', '.join(names)})")
            matrix[row, names.index(theme)] = True
    return matrix
