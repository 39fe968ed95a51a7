"""Evaluation metrics, written out so that a test can check them against hand-computed cases.

- per theme: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R); a ratio
  whose denominator is 0 is 0 (a theme never predicted has precision 0);
- macro-F1: the unweighted mean of the per-theme F1 over the themes that occur in the labels
  or the predictions;
- tone accuracy: the share of texts whose predicted tone equals the label; per-tone recall the
  same within each labelled tone;
- ROC AUC: the probability that a random positive scores above a random negative, ties counting
  one half (the Mann-Whitney statistic).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / denominator if denominator else 0.0


def theme_scores(
    truth: Sequence[str], predicted: Sequence[str], themes: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per-theme support, TP, FP, FN, precision, recall and F1 of ``|``-separated cells."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    true_sets = [set(filter(None, cell.split("|"))) for cell in truth]
    predicted_sets = [set(filter(None, cell.split("|"))) for cell in predicted]
    result = {}
    for theme in themes:
        tp = sum(theme in t and theme in p for t, p in zip(true_sets, predicted_sets, strict=True))
        fp = sum(
            theme not in t and theme in p for t, p in zip(true_sets, predicted_sets, strict=True)
        )
        fn = sum(
            theme in t and theme not in p for t, p in zip(true_sets, predicted_sets, strict=True)
        )
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        result[theme] = {
            "support": tp + fn,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": precision,
            "recall": recall,
            "f1": _ratio(2 * precision * recall, precision + recall),
        }
    return result


def macro_f1(scores: dict[str, dict[str, float]]) -> float:
    """Mean F1 over the themes labelled or predicted at least once."""
    present = [s["f1"] for s in scores.values() if s["support"] or s["fp"]]
    return float(np.mean(present)) if present else 0.0


def micro_f1(scores: dict[str, dict[str, float]]) -> float:
    tp = sum(s["tp"] for s in scores.values())
    fp = sum(s["fp"] for s in scores.values())
    fn = sum(s["fn"] for s in scores.values())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return _ratio(2 * precision * recall, precision + recall)


def tone_scores(truth: Sequence[str], predicted: Sequence[str], tones: Sequence[str]) -> dict:
    """Accuracy, and support and recall per labelled tone."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    pairs = list(zip(truth, predicted, strict=True))
    per_tone = {}
    for tone in tones:
        support = sum(t == tone for t, _ in pairs)
        correct = sum(t == tone and p == tone for t, p in pairs)
        per_tone[tone] = {"support": support, "recall": _ratio(correct, support)}
    return {
        "accuracy": _ratio(sum(t == p for t, p in pairs), len(pairs)),
        "texts": len(pairs),
        "per_tone": per_tone,
    }


def roc_auc(labels: Sequence[bool], scores: Sequence[float]) -> float:
    """Mann-Whitney ROC AUC of ``scores`` for the positive ``labels``."""
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    positives, negatives = scores[labels], scores[~labels]
    if not len(positives) or not len(negatives):
        raise ValueError("ROC AUC needs both positive and negative labels")
    greater = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positives) * len(negatives)))
