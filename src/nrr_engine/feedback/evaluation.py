"""Choosing and publishing the classifier: cross-validation inside the train split, and the
held-out test split scored once with the chosen settings.

- ``cross_validate``: 5-fold cross-validation on the train split (folds shuffled with a fixed
  seed); each fold trains on four fifths and predicts the fifth, and the metrics are computed
  on the pooled out-of-fold predictions.
- ``compare``: the comparison tables of the README (theme methods, tone methods), all on train.
- ``evaluate``: the classifier trained on the whole train split, scored on the test split (also
  per batch of the labelled set, ``labelled_split.BATCHES``), and
  the public check: ROC AUC of the tone score against the great/other score of real (consumer)
  Amazon fine-food reviews (modeldata, MIT; ``labelled/amazon_fine_food_sample.csv``).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd
from sklearn.model_selection import KFold

from nrr_engine.feedback.classifier import (
    DEFAULT_SETTINGS,
    Settings,
    read_labelled,
    train_classifier,
)
from nrr_engine.feedback.labelled_split import BATCHES, batch_of
from nrr_engine.feedback.metrics import macro_f1, micro_f1, roc_auc, theme_scores, tone_scores
from nrr_engine.feedback.taxonomy import AMAZON_SAMPLE_CSV, LABELLED_CSV, TONES, Taxonomy

FOLDS = 5
FOLD_SEED = 0

#: the variants of the README's comparison tables (each changes one thing of DEFAULT_SETTINGS)
THEME_VARIANTS = {
    "phrase rules (seed)": {"theme_method": "rules"},
    "TF-IDF logistic regression": {"theme_method": "model"},
    "rules + TF-IDF (union)": {"theme_method": "combined"},
}
TONE_VARIANTS = {
    "old project lexicon (retired seed sentiment_lexicon), per sentence": {
        "tone_method": "lexicon"
    },
    "VADER, per sentence": {"tone_method": "vader"},
    "B2B cues (feedback_tone_cues), per sentence": {"tone_method": "cues"},
    "TF-IDF logistic regression, per sentence": {"tone_method": "model"},
    "hybrid: TF-IDF + sentence signals": {"tone_method": "hybrid"},
}


def _summary(truth: pd.DataFrame, themes: list[str], tones: list[str], names) -> dict:
    per_theme = theme_scores(truth["themes"].tolist(), themes, names)
    tone = tone_scores(truth["sentiment"].tolist(), tones, TONES)
    return {
        "texts": len(truth),
        "macro_f1": macro_f1(per_theme),
        "micro_f1": micro_f1(per_theme),
        "tone_accuracy": tone["accuracy"],
        "per_theme": per_theme,
        "per_tone": tone["per_tone"],
    }


def cross_validate(taxonomy: Taxonomy, train: pd.DataFrame, settings: Settings) -> dict:
    """Metrics of the pooled out-of-fold predictions of a 5-fold split of ``train``."""
    themes = [""] * len(train)
    tones = [""] * len(train)
    for fit_rows, held_rows in KFold(FOLDS, shuffle=True, random_state=FOLD_SEED).split(train):
        classifier = train_classifier(taxonomy, train.iloc[fit_rows], settings)
        out = classifier.classify(train["text"].iloc[held_rows].tolist()).texts
        for position, row in enumerate(held_rows):
            themes[row] = out["themes"].iloc[position]
            tones[row] = out["sentiment"].iloc[position]
    return _summary(train, themes, tones, taxonomy.theme_names)


def compare(taxonomy: Taxonomy, train: pd.DataFrame, base: Settings = DEFAULT_SETTINGS) -> dict:
    """Cross-validated metrics of each theme and tone variant (the others as in ``base``)."""
    result = {"train_texts": len(train), "folds": FOLDS, "themes": {}, "tone": {}}
    for label, change in THEME_VARIANTS.items():
        metrics = cross_validate(taxonomy, train, replace(base, **change))
        result["themes"][label] = {k: metrics[k] for k in ("macro_f1", "micro_f1")}
    for label, change in TONE_VARIANTS.items():
        metrics = cross_validate(taxonomy, train, replace(base, **change))
        result["tone"][label] = {
            "accuracy": metrics["tone_accuracy"],
            "recall": {tone: metrics["per_tone"][tone]["recall"] for tone in TONES},
        }
    return result


def read_public_sample(path: str | Path | None = None) -> pd.DataFrame:
    path = Path(path) if path is not None else AMAZON_SAMPLE_CSV
    if not path.is_file():
        raise FileNotFoundError(f"public review sample not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        return pd.DataFrame(list(csv.DictReader(handle)), dtype=str)


def evaluate(
    taxonomy: Taxonomy,
    labelled: str | Path | None = None,
    public_sample: str | Path | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> dict:
    """The published figures: test-split metrics and the public AUC (see the module doc)."""
    frame = read_labelled(labelled if labelled is not None else LABELLED_CSV)
    train = frame[frame["split"] == "train"].reset_index(drop=True)
    test = frame[frame["split"] == "test"].reset_index(drop=True)
    classifier = train_classifier(taxonomy, train, settings)
    out = classifier.classify(test["text"].tolist()).texts
    report = {
        "settings": asdict(settings),
        "train_texts": len(train),
        "test": _summary(
            test, out["themes"].tolist(), out["sentiment"].tolist(), taxonomy.theme_names
        ),
    }
    # each batch's test texts alone: the third batch's author never saw the classifier or its seeds
    batch = test["id"].map(batch_of)
    report["test_by_batch"] = {}
    for index, (first, last, _) in enumerate(BATCHES):
        rows = (batch == index).to_numpy()
        if rows.any():
            report["test_by_batch"][f"L{first:04d}-L{last:04d}"] = {
                key: value
                for key, value in _summary(
                    test[rows], out["themes"][rows].tolist(), out["sentiment"][rows].tolist(),
                    taxonomy.theme_names,
                ).items()
                if key in ("texts", "macro_f1", "tone_accuracy")
            }  # fmt: skip
    competitor_truth = test["competitor"].tolist()
    report["test"]["competitor_accuracy"] = sum(
        truth == predicted
        for truth, predicted in zip(competitor_truth, out["competitor"], strict=True)
    ) / max(len(test), 1)
    public = read_public_sample(public_sample)
    scored = classifier.classify(public["text"].tolist()).texts
    report["public_check"] = {
        "data": "modeldata Amazon fine-food reviews (consumer text, MIT)",
        "reviews": len(public),
        "great": int((public["score"] == "great").sum()),
        "roc_auc_tone_score_vs_great": roc_auc(
            (public["score"] == "great").tolist(), scored["tone_score"].tolist()
        ),
    }
    return report
