"""``python -m nrr_engine.feedback classify`` on a hand-written CSV, and its input errors.

The expected labels were decided by hand before the command was run. Themes are checked as
"contains": the phrase rules also add themes a reader would not (README, "Voice of the customer:
the classifier": "We need this fixed" reads as a feature request, "charged twice" also as a
reliability problem).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

HAND_CASES = [
    # id, text, themes it must contain, tone, competitor
    (
        "h1",
        "We were charged twice for the March invoice. Please refund the duplicate payment.",
        {"billing"},
        "negative",
        "",
    ),
    (
        "h2",
        "The revenue dashboard takes forever to load, often over a minute.",
        {"performance"},
        "negative",
        "",
    ),
    (
        "h3",
        "Our whole workspace is down and nobody can log in. We need this fixed immediately.",
        {"reliability"},
        "urgent",
        "",
    ),
    ("h4", "Love the product, thank you to the whole team!", {"praise"}, "positive", ""),
    (
        "h5",
        "Please add a native Snowflake connector, we export CSVs by hand today.",
        {"missing_feature", "integrations"},
        "neutral",
        "",
    ),
    (
        "h6",
        "We are switching to Northwind, they are half the price.",
        {"pricing", "competitor"},
        "negative",
        "Northwind Metrics",
    ),
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nrr_engine.feedback", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_classify_round_trip(tmp_path):
    source = write_csv(
        tmp_path / "in.csv",
        ["id", "text", "source"],
        [[case[0], case[1], "support_ticket"] for case in HAND_CASES],
    )
    out = tmp_path / "out" / "classified.csv"
    sentences = tmp_path / "sentences.csv"
    result = run(
        "classify", "--input", str(source), "--output", str(out), "--sentences", str(sentences)
    )
    assert result.returncode == 0, result.stderr
    with out.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [
            "id",
            "themes",
            "sentiment",
            "competitor",
            "confidence",
            "source",
        ]
        rows = {row["id"]: row for row in reader}
    assert list(rows) == [case[0] for case in HAND_CASES]
    for case_id, _, themes, tone, competitor in HAND_CASES:
        row = rows[case_id]
        assert themes <= set(row["themes"].split("|")), (case_id, row)
        assert row["sentiment"] == tone, (case_id, row)
        assert row["competitor"] == competitor, (case_id, row)
        assert 0.0 <= float(row["confidence"]) <= 1.0
        assert row["source"] == "support_ticket"
    with sentences.open(newline="") as handle:
        sentence_rows = list(csv.DictReader(handle))
    # h1, h3: two sentences each; the rest one
    assert [r["id"] for r in sentence_rows] == ["h1", "h1", "h2", "h3", "h3", "h4", "h5", "h6"]


def test_classify_without_source_column(tmp_path):
    source = write_csv(tmp_path / "in.csv", ["id", "text"], [["1", "Support never replied."]])
    out = tmp_path / "out.csv"
    result = run("classify", "--input", str(source), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines()[0] == "id,themes,sentiment,competitor,confidence"


def test_missing_input_file_is_a_clear_error(tmp_path):
    result = run(
        "classify", "--input", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "o.csv")
    )
    assert result.returncode == 2
    assert "input file not found" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("header", "missing"), [(["id", "body"], "text"), (["text"], "id")])
def test_missing_column_is_a_clear_error(tmp_path, header, missing):
    source = write_csv(tmp_path / "in.csv", header, [["a"] * len(header)])
    result = run("classify", "--input", str(source), "--output", str(tmp_path / "o.csv"))
    assert result.returncode == 2
    assert f"lacks column(s) {missing}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o.csv").exists()
