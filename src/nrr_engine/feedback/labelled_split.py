"""The train/test split of the labelled set: iterative stratification over every label a text has.

The procedure of ``labelled/README.md`` ("The split", after Sechidis, Tsoumakas and Vlahavas,
2011), applied to each batch of the set on its own: the texts are put in a fixed order
(``random.Random(order_seed).shuffle`` of their ids); each split starts with a wanted count per
label (its share of the label's total) and a wanted size (its share of the texts). Repeatedly,
the label with the fewest unassigned texts is taken (ties by name), and each of its unassigned
texts, in the fixed order, goes to the split that still wants the most of that label (ties: the
split that still wants the most texts, then train); the wanted counts of all its labels, and
that split's wanted size, go down by one.

A text's labels are its themes, its tone and the competitor it names. The split of every batch is
written into the CSV; ``tests/python/feedback/test_labelled_set.py`` recomputes it from this
function and the batch table below.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence

#: (first id number, last id number, order seed) of each batch, as the README describes them
BATCHES = (
    (1, 468, 20261202),
    (469, 556, 20261203),
    (557, 856, 20261204),
)
TEST_SHARE = 0.3


def labels_of(row: Mapping[str, str]) -> list[str]:
    """``theme:<name>`` for each theme, ``tone:<tone>``, and ``competitor:<name>`` if any."""
    labels = [f"theme:{theme}" for theme in row["themes"].split("|") if theme]
    labels.append(f"tone:{row['sentiment']}")
    if row["competitor"]:
        labels.append(f"competitor:{row['competitor']}")
    return labels


def stratified_split(
    rows: Sequence[Mapping[str, str]], order_seed: int, test_share: float = TEST_SHARE
) -> dict[str, str]:
    """``{id: "train" | "test"}`` for the rows of one batch (see the module docstring)."""
    order = [row["id"] for row in rows]
    random.Random(order_seed).shuffle(order)
    rank = {text_id: position for position, text_id in enumerate(order)}
    labels = {row["id"]: labels_of(row) for row in rows}
    totals = Counter(label for text_labels in labels.values() for label in text_labels)
    shares = {"test": test_share, "train": 1.0 - test_share}
    wanted = {
        split: {label: share * n for label, n in totals.items()} for split, share in shares.items()
    }
    size = {split: share * len(rows) for split, share in shares.items()}
    assigned: dict[str, str] = {}
    while len(assigned) < len(rows):
        unassigned = Counter(
            label
            for text_id, text_labels in labels.items()
            if text_id not in assigned
            for label in text_labels
        )
        label = min(unassigned, key=lambda name: (unassigned[name], name))
        for text_id in sorted(
            (i for i in labels if i not in assigned and label in labels[i]), key=rank.__getitem__
        ):
            split = max(shares, key=lambda s: (wanted[s][label], size[s], s == "train"))
            assigned[text_id] = split
            for text_label in labels[text_id]:
                wanted[split][text_label] -= 1
            size[split] -= 1
    return assigned


def batch_of(text_id: str) -> int:
    """The index in ``BATCHES`` of an id ``L0001`` ... (ValueError outside every batch)."""
    number = int(text_id.lstrip("L"))
    for index, (first, last, _) in enumerate(BATCHES):
        if first <= number <= last:
            return index
    raise ValueError(f"{text_id} is in no batch of labelled_split.BATCHES")


def recompute_splits(rows: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The split of every row, each batch split on its own with its order seed."""
    result: dict[str, str] = {}
    for index, (_, _, seed) in enumerate(BATCHES):
        batch = [row for row in rows if batch_of(row["id"]) == index]
        result.update(stratified_split(batch, seed))
    return result
