"""The feedback classifier's parts on hand-written cases: sentences, phrases, competitors, tone
rules, metrics (expectations computed by hand), and determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from nrr_engine.feedback import classify, load_taxonomy, split_sentences, train_classifier
from nrr_engine.feedback.classifier import FeedbackClassifier, read_labelled
from nrr_engine.feedback.metrics import macro_f1, roc_auc, theme_scores, tone_scores
from nrr_engine.feedback.taxonomy import DEFAULT_SEEDS_DIR, TONES
from nrr_engine.feedback.text import phrase_pattern
from nrr_engine.feedback.tone import ToneCues, UrgencyRules, combine_tones

OWN_SEED_FILES = (
    "feedback_themes.csv",
    "feedback_urgency_rules.csv",
    "feedback_tone_cues.csv",
)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Hi team. The app is down!! Fix it asap",
            ["Hi team.", "The app is down!!", "Fix it asap"],
        ),
        (
            "We use v2.1 e.g. for exports. It costs $3.5k a month. Dr. Lee agrees.",
            ["We use v2.1 e.g. for exports.", "It costs $3.5k a month.", "Dr. Lee agrees."],
        ),
        (
            "Things to fix:\n- slow dashboards\n- missing SSO\n2. billing",
            ["Things to fix:", "slow dashboards", "missing SSO", "billing"],
        ),
        (
            'Open app.example.com first. It said "error". Then it crashed?',
            ["Open app.example.com first.", 'It said "error".', "Then it crashed?"],
        ),
        ("Exports fail; imports too.", ["Exports fail;", "imports too."]),
        ("\u201cLove it\u201d. Really.", ['"Love it".', "Really."]),
        ("...", []),
        (None, []),
        ("no punctuation at all", ["no punctuation at all"]),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


def test_phrase_pattern_whole_words_and_prefixes():
    pattern = phrase_pattern(["licen*", "api", "too many clicks"])
    assert pattern.search("Our LICENSING costs")
    assert pattern.search("the API is slow")
    assert not pattern.search("rapid growth")  # "api" inside a word
    assert pattern.search("way too  many\nclicks")
    assert not pattern.search("too many click")
    assert phrase_pattern([]) is None


@pytest.fixture(scope="module")
def own_seeds(tmp_path_factory) -> Path:
    """The project's feedback seeds with a competitor file written here, so the alias cases
    below do not depend on the shipped competitor list."""
    folder = tmp_path_factory.mktemp("seeds")
    for name in OWN_SEED_FILES:
        shutil.copy(DEFAULT_SEEDS_DIR / name, folder / name)
    (folder / "feedback_competitors.csv").write_text(
        "competitor,alias\nNorthwind Metrics,northwind\nNorthwind Metrics,NW Metrics\n"
        "Umbrella BI,umbrella bi\nAcme Analytics,acme\n"
    )
    return folder


def test_competitor_aliases(own_seeds):
    classifier = FeedbackClassifier(load_taxonomy(own_seeds))
    assert classifier.competitors("We moved to NORTHWIND last year") == ["Northwind Metrics"]
    assert classifier.competitors("nw metrics is cheaper") == ["Northwind Metrics"]
    # the canonical name counts as an alias; order of first mention
    assert classifier.competitors("Acme, then Northwind Metrics") == [
        "Acme Analytics",
        "Northwind Metrics",
    ]
    # whole words only: a plain umbrella or "acmeville" is no competitor
    assert classifier.competitors("Bring an umbrella to Acmeville") == []
    assert classifier.competitors("Umbrella BI's pricing") == ["Umbrella BI"]


def test_competitor_alias_makes_the_competitor_theme(own_seeds):
    taxonomy = load_taxonomy(own_seeds)
    from nrr_engine.feedback.themes import PhraseRules

    hits = PhraseRules(taxonomy).hits(["We trial nw metrics next week"])
    assert hits[0, taxonomy.theme_names.index("competitor")]


def test_missing_seed_column_is_reported(tmp_path, own_seeds):
    for name in OWN_SEED_FILES:
        shutil.copy(own_seeds / name, tmp_path / name)
    (tmp_path / "feedback_competitors.csv").write_text("name,alias\nX,y\n")
    with pytest.raises(ValueError, match="feedback_competitors.csv lacks column"):
        load_taxonomy(tmp_path)


def test_tone_cues_contrast_and_negation(own_seeds):
    cues = ToneCues(load_taxonomy(own_seeds))
    # "great" once, "crawl" after "but" twice: 1 - 2 < 0
    assert cues.tone("Great product, but large workbooks crawl.", "") == "negative"
    # a negated positive cue counts as negative
    assert cues.counts("The export is not great")["negative"] >= 1
    assert cues.tone("Would love a dark mode for the editor.", "") == "neutral"
    assert cues.tone("The whole workspace is down.", "outage") == "urgent"
    assert cues.tone("Thanks, everything works great now.", "") == "positive"


def test_a_negated_urgency_phrase_states_no_urgency(own_seeds, tmp_path):
    for name in OWN_SEED_FILES:
        shutil.copy(own_seeds / name, tmp_path / name)
    shutil.copy(own_seeds / "feedback_competitors.csv", tmp_path / "feedback_competitors.csv")
    (tmp_path / "feedback_urgency_rules.csv").write_text(
        "phrase,reason\nurgent,blocked\nlawyer,legal\n"
    )
    rules = UrgencyRules(load_taxonomy(tmp_path))
    assert rules.reason("This is urgent.") == "blocked"
    assert rules.reason("Our lawyer is now involved.") == "legal"
    assert rules.reason("Nothing urgent, just planning next year.") == ""
    assert rules.reason("Not urgent at all.") == ""
    # the negator reaches one word at most: "not" three words before does not negate
    assert rules.reason("We are not sure, but this is urgent.") == "blocked"
    # a negated phrase does not hide a later one that is not negated
    assert rules.reason("No lawyer yet, but it is urgent") == "blocked"
    assert rules.reason("Not urgent yet, but our lawyer is asking") == "legal"


def test_combine_tones_takes_the_most_pressing():
    assert combine_tones(["positive", "negative", "neutral"]) == "negative"
    assert combine_tones(["negative", "urgent"]) == "urgent"
    assert combine_tones(["neutral", "positive"]) == "positive"
    assert combine_tones([]) == "neutral"


def test_theme_metrics_by_hand():
    truth = ["ux|billing", "ux", "billing", ""]
    predicted = ["ux", "ux|pricing", "", "billing"]
    scores = theme_scores(truth, predicted, ["ux", "billing", "pricing", "support"])
    # ux: TP 2 (rows 1, 2), FP 0, FN 0 -> P = R = F1 = 1
    assert scores["ux"]["precision"] == 1.0 and scores["ux"]["f1"] == 1.0
    # billing: TP 0, FP 1 (row 4), FN 2 (rows 1, 3) -> 0, 0, 0
    assert (scores["billing"]["tp"], scores["billing"]["fp"], scores["billing"]["fn"]) == (0, 1, 2)
    assert scores["billing"]["f1"] == 0.0
    # pricing: FP 1, no support -> F1 0, counted because it was predicted
    assert scores["pricing"]["fp"] == 1 and scores["pricing"]["support"] == 0
    # support: never labelled nor predicted -> left out of the mean
    assert macro_f1(scores) == pytest.approx((1.0 + 0.0 + 0.0) / 3)


def test_theme_metrics_partial_by_hand():
    scores = theme_scores(["a", "a", "a", ""], ["a", "", "a", "a"], ["a"])
    # TP 2, FP 1, FN 1: P = 2/3, R = 2/3, F1 = 2/3
    assert scores["a"]["precision"] == pytest.approx(2 / 3)
    assert scores["a"]["recall"] == pytest.approx(2 / 3)
    assert scores["a"]["f1"] == pytest.approx(2 / 3)


def test_tone_metrics_by_hand():
    result = tone_scores(
        ["positive", "negative", "negative", "urgent"],
        ["positive", "negative", "neutral", "negative"],
        TONES,
    )
    assert result["accuracy"] == 0.5
    assert result["per_tone"]["negative"] == {"support": 2, "recall": 0.5}
    assert result["per_tone"]["urgent"] == {"support": 1, "recall": 0.0}
    assert result["per_tone"]["neutral"] == {"support": 0, "recall": 0.0}


def test_roc_auc_by_hand():
    # positives 0.9, 0.4; negatives 0.4, 0.1: pairs (0.9>0.4) (0.9>0.1) (0.4=0.4 half) (0.4>0.1)
    assert roc_auc([True, True, False, False], [0.9, 0.4, 0.4, 0.1]) == pytest.approx(3.5 / 4)
    assert roc_auc([True, False], [0.0, 1.0]) == 0.0
    with pytest.raises(ValueError):
        roc_auc([True, True], [0.1, 0.2])


def test_two_trainings_give_the_same_output():
    texts = pd.Series(
        [
            "The dashboard takes forever to load. Support never answers.",
            "Love the new editor! We were charged twice in May though.",
            "Is there a way to export to PowerPoint?",
        ]
    )
    taxonomy = load_taxonomy()
    train = read_labelled(split="train")
    first = train_classifier(taxonomy, train).classify(texts.tolist())
    second = train_classifier(taxonomy, train).classify(texts.tolist())
    pd.testing.assert_frame_equal(first.texts, second.texts)
    pd.testing.assert_frame_equal(first.sentences, second.sentences)
    api = classify(texts)
    pd.testing.assert_frame_equal(api.texts, first.texts)


def test_classify_shapes_and_per_sentence_rows():
    result = classify(pd.Series(["Slow. Broken.", ""], index=["a", "b"]))
    assert result.texts["id"].tolist() == ["a", "b"]
    assert result.texts["sentences"].tolist() == [2, 0]
    assert result.sentences["id"].tolist() == ["a", "a"]
    assert result.sentences["sentence_number"].tolist() == [1, 2]
    assert result.texts.loc[1, "themes"] == ""
    assert result.texts.loc[1, "sentiment"] in TONES
    assert ((result.texts["confidence"] >= 0) & (result.texts["confidence"] <= 1)).all()
