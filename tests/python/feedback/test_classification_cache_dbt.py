"""The classification cache in dbt: the two feedback Python models, built twice into the same
warehouse with one ticket edited in between, classify only the changed text on the second
build (their log says so), and their tables equal a fresh build of the edited book;
`--full-refresh` classifies everything again."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

from conftest import Build, build_ok

SELECT = [
    "--select",
    "+py_feedback_texts_classified",
    "+py_feedback_sentences_classified",
    "--exclude-resource-type",
    "test",
    "unit_test",
]
TABLES = ("feedback.py_feedback_texts_classified", "feedback.py_feedback_sentences_classified")
LOG = re.compile(
    r"feedback classification cache \((texts|sentences)\): classified (\d+) of (\d+) texts "
    r"\((\d+) reused"
)


def _counts(build: Build) -> dict[str, tuple[int, int, int]]:
    """kind -> (classified, texts, reused), as the models logged them."""
    found = {m[0]: (int(m[1]), int(m[2]), int(m[3])) for m in LOG.findall(build.output)}
    assert set(found) == {"texts", "sentences"}, build.output[-3000:]
    return found


def _rows(build: Build, table: str) -> list[tuple]:
    return build.query(f"select * from {table} order by all")


def _first_ticket(raw: Path) -> str:
    with duckdb.connect() as con:
        return con.execute(
            f"select min(ticket_id) from read_parquet('{raw / 'support_tickets.parquet'}') "
            "where body is not null"
        ).fetchone()[0]


def _edit_ticket(raw: Path, ticket_id: str) -> None:
    tickets = raw / "support_tickets.parquet"
    edited = raw / "support_tickets_edited.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * replace (case when ticket_id = '{ticket_id}' then body || "
            "' Also the Salesforce sync has been down since Monday and we are blocked.' "
            f"else body end as body) from read_parquet('{tickets}')) to '{edited}' "
            "(format parquet)"
        )
    shutil.move(edited, tickets)


def test_a_second_build_classifies_only_the_edited_text_and_equals_a_fresh_build(
    tmp_path, generated_book
):
    raw = tmp_path / "raw"
    shutil.copytree(generated_book, raw)
    ticket_id = _first_ticket(raw)
    hash_sql = (
        "select text_id, text_hash from feedback.py_feedback_texts_classified "
        "where text_id like ? order by 1"
    )
    first = build_ok(tmp_path / "cached", raw, extra_args=SELECT)
    texts = first.query("select count(*) from intermediate.int_feedback_corpus_unified")[0][0]
    assert texts > 100
    assert _counts(first)["texts"] == (texts, texts, 0)
    before = first.query(hash_sql, [f"%{ticket_id}%"])
    assert len(before) == 1  # one text per ticket (subject and body)

    _edit_ticket(raw, ticket_id)
    second = build_ok(tmp_path / "cached", raw, extra_args=SELECT)
    after = second.query(hash_sql, [f"%{ticket_id}%"])
    assert after[0][0] == before[0][0] and after[0][1] != before[0][1]
    # only the edited text was classified, the others reused, in both models
    assert _counts(second)["texts"] == (1, texts, texts - 1)
    assert _counts(second)["sentences"][0] == 1

    fresh = build_ok(tmp_path / "fresh", raw, extra_args=SELECT)
    for table in TABLES:
        assert _rows(second, table) == _rows(fresh, table), table

    refreshed = build_ok(tmp_path / "cached", raw, extra_args=[*SELECT, "--full-refresh"])
    assert _counts(refreshed)["texts"] == (texts, texts, 0)
    for table in TABLES:
        assert _rows(refreshed, table) == _rows(fresh, table), table
