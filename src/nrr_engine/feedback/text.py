"""Text utilities: normalising, sentence splitting and phrase matching.

Sentence rule (docs/definitions.md#feedback-classifier): a sentence ends at ``.``, ``!``, ``?``
or ``;`` followed by white space, or at a line break or a bullet; a full stop does not end a
sentence after a known abbreviation (``e.g.``, ``i.e.``, ``etc.``, ``vs.``, ``approx.``, titles,
single capital letters), inside a number or a version (``3.5``, ``v2.1``) or a domain
(``app.example.com``). Pieces without a letter or digit are dropped.
"""

from __future__ import annotations

import re

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "approx",
        "appr",
        "est",
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "no",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "fig",
        "min",
        "max",
        "incl",
        "excl",
    ]
)

# a candidate boundary: terminal punctuation (and closing quotes/brackets) then white space
_BOUNDARY = re.compile(r"([.!?;]+[\"')\]]*)\s+")
_LINE_BREAK = re.compile(r"\s*(?:\r?\n)+\s*(?:[-*\u2022]\s+|\d+[.)]\s+)?")
_HAS_WORD = re.compile(r"[^\W_]")


def normalise(text: object) -> str:
    """The text as a string with typographic quotes made plain; None and NaN become ""."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return str(text).translate(_QUOTES).strip()


def _ends_with_abbreviation(piece: str) -> bool:
    """Whether the full stop closing ``piece`` belongs to an abbreviation or an initial."""
    last = re.search(r"(\S+)\.$", piece)
    if last is None:
        return False
    word = last.group(1).lstrip("(\"'").lower()
    return word in ABBREVIATIONS or bool(re.fullmatch(r"[a-z]", word))


def split_sentences(text: object) -> list[str]:
    """The sentences of ``text`` in order (see the module docstring for the rule)."""
    text = normalise(text)
    sentences: list[str] = []
    for line in _LINE_BREAK.split(text):
        line = re.sub(r"^\s*(?:[-*\u2022]\s+)", "", line)
        start = 0
        current = ""
        for match in _BOUNDARY.finditer(line):
            piece = line[start : match.end(1)]
            current += piece
            start = match.end()
            if match.group(1) == "." and _ends_with_abbreviation(current):
                current += " "
                continue
            sentences.append(current.strip())
            current = ""
        current += line[start:]
        if current.strip():
            sentences.append(current.strip())
    return [sentence for sentence in sentences if _HAS_WORD.search(sentence)]


def phrase_pattern(phrases: tuple[str, ...] | list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of ``phrases`` as whole words.

    A phrase is literal text; white space in it matches any white space, and a trailing ``*``
    makes it a prefix (``licen*`` matches licence, license, licensing). None when there are no
    phrases.
    """
    exact, prefixes = [], []
    for phrase in sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in phrase.rstrip("*").split())
        (prefixes if phrase.endswith("*") else exact).append(body)
    # one word-boundary check per position, then the alternatives: several times faster than
    # a boundary around each alternative, with the same matches
    parts = []
    if exact:
        parts.append("(?:" + "|".join(exact) + r")(?!\w)")
    if prefixes:
        parts.append("(?:" + "|".join(prefixes) + r")\w*")
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)
