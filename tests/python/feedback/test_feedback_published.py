"""The README's published classifier figures are what ``evaluate`` computes, so they cannot
drift from the code, the seeds or the labelled set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nrr_engine.feedback import load_taxonomy
from nrr_engine.feedback.evaluation import evaluate

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "## Voice of the customer: the classifier"


@pytest.fixture(scope="module")
def report() -> dict:
    return evaluate(load_taxonomy())


@pytest.fixture(scope="module")
def section() -> str:
    text = README.read_text()
    assert SECTION in text, f"README lacks the section {SECTION!r}"
    body = text.split(SECTION, 1)[1]
    return body.split("\n## ", 1)[0]


def test_headline_figures_are_published(report, section):
    test = report["test"]
    public = report["public_check"]
    rows = [
        f"| theme macro-F1 | {test['macro_f1']:.3f} |",
        f"| theme micro-F1 | {test['micro_f1']:.3f} |",
        f"| tone accuracy | {test['tone_accuracy']:.3f} |",
        f"| competitor named correctly | {test['competitor_accuracy']:.3f} |",
        f"| public check: ROC AUC of the tone score, great vs other "
        f"({public['reviews']:,} consumer reviews) | {public['roc_auc_tone_score_vs_great']:.3f} |",
    ]
    for row in rows:
        assert row in section, row
    assert f"test split ({test['texts']} texts" in section
    assert f"train split ({report['train_texts']} texts" in section


def test_per_theme_and_per_tone_figures_are_published(report, section):
    for theme, scores in report["test"]["per_theme"].items():
        row = (
            f"| {theme} | {scores['support']} | {scores['precision']:.3f} | "
            f"{scores['recall']:.3f} | {scores['f1']:.3f} |"
        )
        assert row in section, row
    for tone, scores in report["test"]["per_tone"].items():
        row = f"| {tone} | {scores['support']} | {scores['recall']:.3f} |"
        assert row in section, row


def test_evaluate_command_writes_the_same_report(report, tmp_path):
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "nrr_engine.feedback", "evaluate", "--output", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    written = json.loads(out.read_text())
    assert written["test"]["macro_f1"] == pytest.approx(report["test"]["macro_f1"])
    assert written["test"]["tone_accuracy"] == pytest.approx(report["test"]["tone_accuracy"])
    assert written["public_check"]["roc_auc_tone_score_vs_great"] == pytest.approx(
        report["public_check"]["roc_auc_tone_score_vs_great"]
    )
