"""The labelled feedback set and the vendored review sample have the shape their README promises.

The classifier is trained on the train split and scored on the test split, so the set must hold
only allowed labels, enough test examples of every theme and tone, no text on both sides, the
canonical competitor names of the seed, and the counts its README publishes.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from nrr_engine.feedback.labelled_split import recompute_splits

REPO = Path(__file__).resolve().parents[3]
FOLDER = REPO / "src" / "nrr_engine" / "feedback" / "labelled"
LABELLED = FOLDER / "feedback_labelled.csv"
README = FOLDER / "README.md"
SAMPLE = FOLDER / "amazon_fine_food_sample.csv"
COMPETITOR_SEED = REPO / "seeds" / "feedback_competitors.csv"

COLUMNS = ["id", "split", "source", "text", "themes", "sentiment", "competitor"]
SOURCES = {
    "support_ticket",
    "nps_comment",
    "review",
    "community_post",
    "sales_call_note",
    "cs_call_note",
    "churn_survey",
    "social_mention",
    "feature_request",
}
THEMES = [
    "ux",
    "performance",
    "reliability",
    "missing_feature",
    "pricing",
    "billing",
    "onboarding",
    "support",
    "integrations",
    "competitor",
    "praise",
]
TONES = ["positive", "neutral", "negative", "urgent"]
CANONICAL = {
    "Northwind Metrics",
    "Globex Insights",
    "Initech Cloud",
    "Umbrella BI",
    "Acme Analytics",
}
MIN_IN_TEST = 12


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_csv(LABELLED)[1]


def themes_of(row: dict[str, str]) -> list[str]:
    return row["themes"].split("|")


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def test_the_columns_are_exactly_the_documented_ones():
    assert read_csv(LABELLED)[0] == COLUMNS


def test_the_set_is_large_enough(rows):
    assert len(rows) >= 420


def test_ids_are_unique_and_numbered_in_order(rows):
    ids = [row["id"] for row in rows]
    assert ids == [f"L{number:04d}" for number in range(1, len(rows) + 1)]


def test_every_value_is_an_allowed_one(rows):
    for row in rows:
        assert row["split"] in {"train", "test"}, row["id"]
        assert row["source"] in SOURCES, row["id"]
        assert row["sentiment"] in TONES, row["id"]
        assert row["text"].strip() == row["text"] and row["text"], row["id"]
        themes = themes_of(row)
        assert themes and set(themes) <= set(THEMES), row["id"]
        assert len(set(themes)) == len(themes), row["id"]


def test_the_split_is_about_seventy_thirty(rows):
    share = sum(row["split"] == "test" for row in rows) / len(rows)
    assert 0.25 <= share <= 0.35


def test_every_theme_and_tone_has_enough_test_examples(rows):
    test_rows = [row for row in rows if row["split"] == "test"]
    theme_counts = Counter(theme for row in test_rows for theme in themes_of(row))
    tone_counts = Counter(row["sentiment"] for row in test_rows)
    assert [theme for theme in THEMES if theme_counts[theme] < MIN_IN_TEST] == []
    assert [tone for tone in TONES if tone_counts[tone] < MIN_IN_TEST] == []


def test_every_theme_and_tone_is_well_represented_overall(rows):
    theme_counts = Counter(theme for row in rows for theme in themes_of(row))
    tone_counts = Counter(row["sentiment"] for row in rows)
    assert min(theme_counts[theme] for theme in THEMES) >= 40
    assert min(tone_counts[tone] for tone in TONES) >= 60


def test_no_text_appears_twice_in_any_split(rows):
    seen: dict[str, str] = {}
    repeats = []
    for row in rows:
        key = normalised(row["text"])
        if key in seen:
            repeats.append((seen[key], row["id"]))
        seen[key] = row["id"]
    assert repeats == []


def test_normalising_catches_case_and_punctuation_only_differences():
    assert normalised("Slow, SLOW... slow!") == normalised("slow slow slow")
    assert normalised("slow") != normalised("fast")


def competitor_aliases() -> dict[str, str]:
    columns, seed_rows = read_csv(COMPETITOR_SEED)
    assert columns == ["competitor", "alias"]
    return {row["alias"]: row["competitor"] for row in seed_rows}


def test_the_competitor_seed_has_lower_case_aliases_and_every_canonical_name():
    _, seed_rows = read_csv(COMPETITOR_SEED)
    aliases = [row["alias"] for row in seed_rows]
    assert len(aliases) == len(set(aliases))
    assert all(alias == alias.lower().strip() and alias for alias in aliases)
    assert {row["competitor"] for row in seed_rows} == CANONICAL
    assert {name.lower() for name in CANONICAL} <= set(aliases)


def test_competitor_names_are_canonical_and_written_in_the_text(rows):
    aliases = competitor_aliases()
    named = [row for row in rows if row["competitor"]]
    assert len(named) >= 30
    for row in named:
        assert row["competitor"] in CANONICAL, row["id"]
        assert "competitor" in themes_of(row), row["id"]
        text = row["text"].lower()
        found = {
            competitor
            for alias, competitor in aliases.items()
            if re.search(r"\b" + re.escape(alias) + r"\b", text)
        }
        assert row["competitor"] in found, row["id"]


def readme_table(title: str) -> dict[str, tuple[int, int, int]]:
    """The rows of the README's count table whose first header cell is `title`."""
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- counts:start -->")[1].split("<!-- counts:end -->")[0]
    table: dict[str, tuple[int, int, int]] = {}
    inside = False
    for line in block.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[:4] == [title, "train", "test", "all"]:
            inside = True
        elif inside and line.startswith("|") and not set(cells[0]) <= {"-", ":"}:
            table[cells[0]] = (int(cells[1]), int(cells[2]), int(cells[3]))
        elif inside and not line.startswith("|"):
            break
    return table


def counted(rows, keys, has) -> dict[str, tuple[int, int, int]]:
    table = {}
    for key in keys:
        train = sum(1 for row in rows if row["split"] == "train" and has(row, key))
        test = sum(1 for row in rows if row["split"] == "test" and has(row, key))
        table[key] = (train, test, train + test)
    train = sum(1 for row in rows if row["split"] == "train")
    table["(texts)"] = (train, len(rows) - train, len(rows))
    return table


@pytest.mark.parametrize(
    ("title", "keys", "has"),
    [
        ("theme", THEMES, lambda row, key: key in themes_of(row)),
        ("sentiment", TONES, lambda row, key: row["sentiment"] == key),
        ("source", sorted(SOURCES), lambda row, key: row["source"] == key),
        ("competitor", sorted(CANONICAL), lambda row, key: row["competitor"] == key),
    ],
)
def test_the_readme_count_tables_are_those_of_the_csv(rows, title, keys, has):
    assert readme_table(title) == counted(rows, keys, has)


def test_the_review_sample_is_the_documented_one():
    columns, sample = read_csv(SAMPLE)
    assert columns == ["id", "text", "score"]
    assert [row["id"] for row in sample] == [f"FF{number:04d}" for number in range(1, 1001)]
    assert Counter(row["score"] for row in sample) == {"great": 658, "other": 342}
    assert all(row["text"].strip() for row in sample)
    assert SAMPLE.stat().st_size < 1_000_000
    licence = (FOLDER / "LICENSE-modeldata.txt").read_text(encoding="utf-8")
    assert "MIT License" in licence and "modeldata" in licence


def test_every_batch_is_split_by_the_documented_procedure(rows):
    # the split written in the CSV is what the README's procedure gives each batch on its own
    written = {row["id"]: row["split"] for row in rows}
    recomputed = recompute_splits(rows)
    assert recomputed == written


def test_the_published_agreement_of_the_second_annotator_is_recomputed(rows):
    first = {row["id"]: row for row in rows}
    second = read_csv(FOLDER / "second_annotator.csv")[1]
    assert len(second) == 163
    assert all(first[row["id"]]["split"] == "test" for row in second)
    pairs = [(first[row["id"]]["sentiment"], row["sentiment"]) for row in second]
    observed = sum(a == b for a, b in pairs) / len(pairs)
    first_share = Counter(a for a, _ in pairs)
    second_share = Counter(b for _, b in pairs)
    chance = sum(first_share[t] * second_share[t] for t in TONES) / len(pairs) ** 2
    kappa = (observed - chance) / (1 - chance)
    f1s = []
    for theme in THEMES:
        counts = Counter(
            (theme in themes_of(first[row["id"]]), theme in row["themes"].split("|"))
            for row in second
        )
        tp, fp, fn = counts[True, True], counts[False, True], counts[True, False]
        f1s.append(2 * tp / (2 * tp + fp + fn))
    block = README.read_text(encoding="utf-8").split("<!-- agreement:start -->")[1]
    block = block.split("<!-- agreement:end -->")[0]
    assert "| texts | 163 |" in block
    assert f"| tone agreement | {observed:.3f} |" in block
    assert f"| tone Cohen's kappa | {kappa:.3f} |" in block
    assert f"| theme macro-F1 (second against first) | {sum(f1s) / len(f1s):.3f} |" in block
