"""The feedback corpus classified for the warehouse: the dbt Python models of
python_models/feedback (and `nrr-calibrate-warehouse` off DuckDB) call these functions.

They hand the corpus (``int_feedback_corpus_unified``: ``text_id, text``) to the classifier of
``nrr_engine.feedback`` (the same code as ``python -m nrr_engine.feedback classify``) and shape
its output into typed tables:

- ``classified_texts``: one row per text: ``text_id, themes`` (``|``-separated, in the order of
  the themes seed), ``sentiment, tone_score, competitors`` (``|``-separated, empty when none),
  ``confidence, urgency_reason, sentence_count``;
- ``classified_sentences``: one row per sentence: ``text_id, sentence_number, sentence, themes,
  sentiment, tone_score, urgency_reason, competitors`` (the competitors named in that
  sentence), so that a quote or a comparison with a competitor is read from the sentence that
  says it, not from the whole text.

Every row also carries ``text_hash`` (sha1 of the text) and ``classifier_fingerprint``
(``classifier_fingerprint()``: a hash of everything that decides the output). That is the
classification cache: given the table a previous build wrote (``previous``), the rows of each
text whose ``(text_id, text_hash, classifier_fingerprint)`` still match are reused and only new
or changed texts are classified; texts no longer in the corpus are not in the result, and a
changed fingerprint re-classifies everything. The result is the full classification of the
current corpus either way (tests/python/feedback/test_classification_cache.py). The classifier
is trained only when some text needs classifying, and texts are classified in slices of
``SLICE_TEXTS`` so that the memory of one classification does not grow with the corpus.

Training takes 8-19 s and every fresh warehouse needs it once, so the trained classifier is kept
between processes (``stored_default_classifier``): pickled into ``classifier_store_dir()``
(``NRR_CLASSIFIER_STORE_DIR``; default ``$XDG_CACHE_HOME/nrr_engine/classifiers``, else
``~/.cache/nrr_engine/classifiers``; ``off``: never kept), under a name made of the
fingerprint, a hash of the feedback package's own code and the Python version, so a stored one
is only ever loaded where a fresh training would give the same classifier. A store that cannot
be written (a read-only home) costs a training per process, as without it.

The SQL splits the ``|`` lists by joining the seeds (``feedback_themes``,
``feedback_competitors``), so the lists hold seed names only.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

import nrr_engine.feedback as feedback_package
from nrr_engine.feedback import DEFAULT_SETTINGS, default_classifier
from nrr_engine.feedback.taxonomy import DEFAULT_SEEDS_DIR, LABELLED_CSV, OLD_LEXICON_CSV
from nrr_engine.feedback.text import normalise, split_sentences

#: bump when a change of the classifier's code changes what it outputs for a text (the seeds,
#: the labelled set, the settings and the library versions are hashed on their own)
CLASSIFIER_VERSION = "1"
#: the seed files the classifier reads (nrr_engine.feedback.taxonomy)
FINGERPRINT_SEEDS = (
    "feedback_themes.csv",
    "feedback_competitors.csv",
    "feedback_urgency_rules.csv",
    "feedback_tone_cues.csv",
)
#: libraries whose version can change a score (the models, the VADER lexicon)
FINGERPRINT_LIBRARIES = ("scikit-learn", "numpy", "scipy", "vaderSentiment")
#: texts classified at once: bounds the memory of the classification (README, feedback)
SLICE_TEXTS = 10_000

CACHE_COLUMNS = ["text_hash", "classifier_fingerprint"]

log = logging.getLogger(__name__)
TEXT_COLUMNS = [
    "text_id",
    "themes",
    "sentiment",
    "tone_score",
    "competitors",
    "confidence",
    "urgency_reason",
    "sentence_count",
    *CACHE_COLUMNS,
]
SENTENCE_COLUMNS = [
    "text_id",
    "sentence_number",
    "sentence",
    "themes",
    "sentiment",
    "tone_score",
    "urgency_reason",
    "competitors",
    *CACHE_COLUMNS,
]
_TYPES = {
    "text_id": str,
    "themes": str,
    "sentiment": str,
    "tone_score": float,
    "competitors": str,
    "confidence": float,
    "urgency_reason": str,
    "sentence_count": "int64",
    "sentence_number": "int64",
    "sentence": str,
    "text_hash": str,
    "classifier_fingerprint": str,
}
KINDS = {"texts": TEXT_COLUMNS, "sentences": SENTENCE_COLUMNS}


def text_hash(text: str) -> str:
    """The sha1 (hex) of a text as the corpus holds it (UTF-8)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def classifier_fingerprint(
    seeds_dir: str | Path | None = None, labelled: str | Path | None = None
) -> str:
    """A hash (sha1 hex) of everything that decides the classifier's output: ``CLASSIFIER_VERSION``,
    ``DEFAULT_SETTINGS``, the bytes of the four seed files it reads, of the labelled set it is
    trained on and of the retired lexicon the taxonomy loads, and the versions of the libraries
    that score. Reads a few small files: cheap enough to compute per call, so an edited seed
    is never missed."""
    folder = Path(seeds_dir) if seeds_dir is not None else DEFAULT_SEEDS_DIR
    files = [folder / name for name in FINGERPRINT_SEEDS]
    files += [Path(labelled) if labelled is not None else LABELLED_CSV, OLD_LEXICON_CSV]
    digest = hashlib.sha1()
    digest.update(f"version={CLASSIFIER_VERSION}\nsettings={DEFAULT_SETTINGS!r}\n".encode())
    for name in FINGERPRINT_LIBRARIES:
        digest.update(f"{name}={_library_version(name)}\n".encode())
    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"classifier input not found: {path}")
        content = path.read_bytes()
        digest.update(f"{path.name}:{len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()


def _corpus_columns(corpus: pd.DataFrame) -> tuple[list[str], list[str]]:
    missing = [column for column in ("text_id", "text") if column not in corpus.columns]
    if missing:
        raise ValueError(f"the corpus lacks column(s) {', '.join(missing)}")
    if corpus["text_id"].duplicated().any():
        raise ValueError("the corpus repeats a text_id: one row per text is expected")
    return corpus["text_id"].astype(str).tolist(), corpus["text"].fillna("").astype(str).tolist()


def _typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {column: frame[column].astype(_TYPES[column]) for column in columns}, index=frame.index
    )[columns]


def _shape(classified, classifier) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The classifier's ``Classified`` as the two tables (without the cache columns)."""
    texts, sentences = classified.texts, classified.sentences
    text_rows = pd.DataFrame(
        {
            "text_id": texts["id"].astype(str),
            "themes": texts["themes"],
            "sentiment": texts["sentiment"],
            "tone_score": texts["tone_score"],
            "competitors": texts["competitor"],
            "confidence": texts["confidence"],
            "urgency_reason": texts["urgency_reason"],
            "sentence_count": texts["sentences"],
        }
    )
    sentence_rows = pd.DataFrame(
        {
            "text_id": sentences["id"].astype(str),
            "sentence_number": sentences["sentence_number"],
            "sentence": sentences["sentence"],
            "themes": sentences["themes"],
            "sentiment": sentences["sentiment"],
            "tone_score": sentences["tone_score"],
            "urgency_reason": sentences["urgency_reason"].fillna(""),
            "competitors": pd.Series(
                ["|".join(classifier.competitors(s)) for s in sentences["sentence"]],
                index=sentences.index,
                dtype=str,
            ),
        }
    )
    return (
        _typed(text_rows, TEXT_COLUMNS[:-2]).reset_index(drop=True),
        _typed(sentence_rows, SENTENCE_COLUMNS[:-2]).reset_index(drop=True),
    )


def _classify_in_slices(
    ids: list[str], texts: list[str], classifier, slice_size: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    text_parts, sentence_parts = [], []
    for start in range(0, len(texts), slice_size):
        stop = start + slice_size
        classified = classifier.classify(texts[start:stop], ids=ids[start:stop])
        text_rows, sentence_rows = _shape(classified, classifier)
        text_parts.append(text_rows)
        sentence_parts.append(sentence_rows)
        del classified
    return (
        pd.concat(text_parts, ignore_index=True),
        pd.concat(sentence_parts, ignore_index=True),
    )


@dataclass
class _Memo:
    key: tuple
    text_of: dict[str, str]
    texts: pd.DataFrame
    sentences: pd.DataFrame


#: dbt runs the two Python models on two threads at once and both need the same new texts
#: classified: the second waits for the first and takes its rows from the memo
_CLASSIFYING = threading.Lock()
_MEMO: list[_Memo] = []


def _classified_rows(
    ids: list[str],
    texts: list[str],
    key: tuple,
    make_classifier: Callable[[], object],
    slice_size: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables' rows for these texts: from the memo when the previous call of this process
    classified them (the other Python model), otherwise classified (and memoised)."""
    with _CLASSIFYING:
        memo = _MEMO[0] if _MEMO else None
        if (
            memo is not None
            and memo.key == key
            and all(memo.text_of.get(i) == t for i, t in zip(ids, texts, strict=True))
        ):
            wanted = set(ids)
            return (
                memo.texts[memo.texts["text_id"].isin(wanted)],
                memo.sentences[memo.sentences["text_id"].isin(wanted)],
            )
        _MEMO.clear()
        text_rows, sentence_rows = _classify_in_slices(ids, texts, make_classifier(), slice_size)
        _MEMO.append(_Memo(key, dict(zip(ids, texts, strict=True)), text_rows, sentence_rows))
        return text_rows, sentence_rows


@dataclass(frozen=True)
class CacheReport:
    """What one call classified: ``texts`` in the corpus, ``classified`` of them, ``reused``
    from the previous table, ``dropped`` texts of the previous table no longer in the corpus
    (or changed, or of another fingerprint), and why nothing was reused when so."""

    kind: str
    texts: int
    classified: int
    reused: int
    dropped: int
    note: str = ""

    def message(self) -> str:
        line = (
            f"feedback classification cache ({self.kind}): classified {self.classified} of "
            f"{self.texts} texts ({self.reused} reused, {self.dropped} previous texts dropped)"
        )
        return f"{line}; {self.note}" if self.note else line


def _reusable(
    previous: pd.DataFrame | None, columns: list[str], fingerprint: str, current: dict[str, str]
) -> tuple[pd.DataFrame | None, str]:
    """The previous rows that may be reused (their text unchanged, same fingerprint), or None and
    the reason none are."""
    if previous is None:
        return None, "no previous table: every text classified"
    missing = [column for column in columns if column not in previous.columns]
    if missing:
        return None, f"previous table lacks {', '.join(missing)}: every text classified"
    rows = previous[previous["classifier_fingerprint"] == fingerprint]
    if rows.empty and not previous.empty:
        return None, "classifier fingerprint changed: every text classified"
    ids = rows["text_id"].astype(str)
    keep = ids.map(current).eq(rows["text_hash"].astype(str))
    return rows[keep.to_numpy()], ""


def classifier_store_dir() -> Path | None:
    """Where trained classifiers are kept between processes (None: not kept)."""
    chosen = os.environ.get("NRR_CLASSIFIER_STORE_DIR", "")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nrr_engine" / "classifiers"


def _code_digest() -> str:
    """A hash of the feedback package's source files: a stored classifier is an object of its
    classes, so a change of their code must not load one pickled before it."""
    digest = hashlib.sha1()
    for path in sorted(Path(feedback_package.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


def stored_default_classifier(seeds_dir: str | Path | None, fingerprint: str):
    """``default_classifier(seeds_dir)``, loaded from the store when one trained on the same
    inputs by the same code is there, else trained and stored (module docstring)."""
    folder = classifier_store_dir()
    if folder is None:
        return default_classifier(seeds_dir)
    key = hashlib.sha1(f"{fingerprint}\n{_code_digest()}\n{sys.version}".encode()).hexdigest()
    path = folder / f"classifier-{key}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as error:
            log.warning("stored classifier %s unreadable (%s): training it again", path, error)
    classifier = default_classifier(seeds_dir)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as handle:
            pickle.dump(classifier, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)  # whole or absent: two processes may store it at once
    except (OSError, pickle.PicklingError) as error:
        log.warning("trained classifier not stored in %s (%s)", folder, error)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return classifier


def classify_corpus(
    corpus: pd.DataFrame,
    kind: str,
    previous: pd.DataFrame | None = None,
    seeds_dir: str | Path | None = None,
    classifier=None,
    slice_size: int = SLICE_TEXTS,
) -> tuple[pd.DataFrame, CacheReport]:
    """One of the two tables (``kind``: ``texts`` or ``sentences``) for ``corpus``, reusing the
    rows of ``previous`` (the table as a previous build wrote it, or None) whose text and
    fingerprint are unchanged. ``classifier`` (default: ``default_classifier(seeds_dir)``, from
    the store or trained, only when some text needs classifying) is any object with the classifier's
    ``classify(texts, ids=...)`` and ``competitors(text)``. Rows in corpus order (then sentence
    order); the same rows as with ``previous=None``."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {tuple(KINDS)}")
    if slice_size < 1:
        raise ValueError("slice_size must be at least 1")
    columns = KINDS[kind]
    ids, texts = _corpus_columns(corpus)
    hashes = [text_hash(text) for text in texts]
    current = dict(zip(ids, hashes, strict=True))
    fingerprint = classifier_fingerprint(seeds_dir)
    reusable, note = _reusable(previous, columns, fingerprint, current)
    reused_ids = set() if reusable is None else set(reusable["text_id"].astype(str))
    todo = [i for i, text_id in enumerate(ids) if text_id not in reused_ids]
    if kind == "sentences":
        # a text without a sentence has no row to reuse: it needs no classifier either
        todo = [i for i in todo if split_sentences(normalise(texts[i]))]
    previous_ids = set() if previous is None else set(previous["text_id"].astype(str))

    parts = []
    if reusable is not None and not reusable.empty:
        parts.append(_typed(reusable, columns))
    if todo:
        key = (
            ("default", None if seeds_dir is None else str(seeds_dir), fingerprint)
            if classifier is None
            else ("given", classifier, fingerprint)
        )
        rows = _classified_rows(
            [ids[i] for i in todo],
            [texts[i] for i in todo],
            key,
            (lambda: stored_default_classifier(seeds_dir, fingerprint))
            if classifier is None
            else (lambda: classifier),
            slice_size,
        )[0 if kind == "texts" else 1].copy()
        rows["text_hash"] = rows["text_id"].map(current)
        rows["classifier_fingerprint"] = fingerprint
        parts.append(_typed(rows, columns))
    result = (
        pd.concat(parts, ignore_index=True)
        if parts
        else _typed(pd.DataFrame({column: [] for column in columns}), columns)
    )
    # corpus order, then sentence order: the order a full classification gives
    position = result["text_id"].map({text_id: n for n, text_id in enumerate(ids)})
    keys = ["_position", "sentence_number"] if kind == "sentences" else ["_position"]
    result = (
        result.assign(_position=position)
        .sort_values(keys, kind="stable")
        .drop(columns="_position")
        .reset_index(drop=True)
    )
    report = CacheReport(
        kind=kind,
        texts=len(ids),
        classified=len(todo),
        reused=len(reused_ids),
        dropped=len(previous_ids - reused_ids),
        note=note,
    )
    return result, report


def classified_texts(
    corpus: pd.DataFrame,
    seeds_dir: str | Path | None = None,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per text of ``corpus`` (columns ``TEXT_COLUMNS``)."""
    return classify_corpus(corpus, "texts", previous, seeds_dir)[0]


def classified_sentences(
    corpus: pd.DataFrame,
    seeds_dir: str | Path | None = None,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per sentence of the texts of ``corpus`` (columns ``SENTENCE_COLUMNS``)."""
    return classify_corpus(corpus, "sentences", previous, seeds_dir)[0]
