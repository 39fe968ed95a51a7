"""The feedback taxonomy, read from the seeds a team edits (SQL reads the same files).

- ``seeds/feedback_themes.csv``: one row per theme (description, ``|``-separated phrases and
  examples, the team that acts on it);
- ``seeds/feedback_competitors.csv``: competitor names and their aliases;
- ``seeds/feedback_urgency_rules.csv``: phrases that make a negative sentence urgent, with the
  reason (outage, blocked, data loss, security, threat to cancel);
- ``seeds/feedback_tone_cues.csv``: B2B tone cues (positive, negative, request) for the tone
  signals of each sentence;

and, not a seed: ``labelled/old_sentiment_lexicon.csv``, the 36-term lexicon the health score's
ticket tone used before issue 13 (it was the seed ``sentiment_lexicon``), kept frozen beside the
labelled set as the baseline the tone comparison reports (the ``lexicon`` tone method).

Nothing here is cached across seed folders: ``load_taxonomy(seeds_dir)`` reads them each call;
callers keep the result.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

#: the dbt project this package belongs to (src/nrr_engine/feedback/ -> the repository)
PROJECT_DIR = Path(__file__).resolve().parents[3]
DEFAULT_SEEDS_DIR = PROJECT_DIR / "seeds"
#: the hand-labelled evaluation set and the public review sample (docs in that folder)
LABELLED_DIR = Path(__file__).resolve().parent / "labelled"
LABELLED_CSV = LABELLED_DIR / "feedback_labelled.csv"
AMAZON_SAMPLE_CSV = LABELLED_DIR / "amazon_fine_food_sample.csv"
#: the retired tone lexicon, a baseline of the tone comparison only (read by no dbt model)
OLD_LEXICON_CSV = LABELLED_DIR / "old_sentiment_lexicon.csv"

#: the four tones, from best to worst; ``urgent`` is negative and needing action now
TONES = ("positive", "neutral", "negative", "urgent")
ROUTES = ("product", "marketing", "cs_ops")
TONE_CUES = ("positive", "negative", "request")


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    phrases: tuple[str, ...]
    examples: tuple[str, ...]
    route: str


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    #: (alias, competitor name) pairs, the canonical name itself included
    competitor_aliases: tuple[tuple[str, str], ...]
    #: (phrase, reason) pairs
    urgency_rules: tuple[tuple[str, str], ...]
    #: (term, weight) pairs of labelled/old_sentiment_lexicon.csv (the retired baseline)
    lexicon: tuple[tuple[str, float], ...]
    #: (phrase, cue) pairs of seeds/feedback_tone_cues.csv, cue one of TONE_CUES
    tone_cues: tuple[tuple[str, str], ...] = ()

    @property
    def theme_names(self) -> tuple[str, ...]:
        return tuple(theme.name for theme in self.themes)

    @property
    def competitors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for _, name in self.competitor_aliases))


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split("|") if part.strip())


def _read(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise FileNotFoundError(f"seed file not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name} lacks column(s) {', '.join(missing)}")
        return list(reader)


def load_taxonomy(seeds_dir: str | Path | None = None) -> Taxonomy:
    """The taxonomy of the seed files in ``seeds_dir`` (default: the project's ``seeds/``)."""
    folder = Path(seeds_dir) if seeds_dir is not None else DEFAULT_SEEDS_DIR
    themes = []
    for row in _read(
        folder / "feedback_themes.csv", ("theme", "description", "phrases", "examples", "route")
    ):
        if row["route"] not in ROUTES:
            raise ValueError(f"theme {row['theme']}: route {row['route']!r} not in {ROUTES}")
        themes.append(
            Theme(
                name=row["theme"].strip(),
                description=row["description"].strip(),
                phrases=_split(row["phrases"]),
                examples=_split(row["examples"]),
                route=row["route"],
            )
        )
    aliases = []
    for row in _read(folder / "feedback_competitors.csv", ("competitor", "alias")):
        name = row["competitor"].strip()
        for alias in (name, (row["alias"] or "").strip()):
            if alias and (alias, name) not in aliases:
                aliases.append((alias, name))
    urgency = tuple(
        (row["phrase"].strip(), row["reason"].strip())
        for row in _read(folder / "feedback_urgency_rules.csv", ("phrase", "reason"))
    )
    lexicon = tuple(
        (row["term"].strip(), float(row["tone"]))
        for row in _read(OLD_LEXICON_CSV, ("term", "tone"))
    )
    cues = []
    for row in _read(folder / "feedback_tone_cues.csv", ("phrase", "cue")):
        if row["cue"] not in TONE_CUES:
            raise ValueError(f"tone cue {row['phrase']!r}: cue {row['cue']!r} not in {TONE_CUES}")
        cues.append((row["phrase"].strip(), row["cue"]))
    return Taxonomy(tuple(themes), tuple(aliases), urgency, lexicon, tuple(cues))
