"""Layers point one way, and raw events are read in one place (the project's layering rules).

Read from the manifest of the tiny book's build (its `depends_on`, not the SQL text, so a ref
hidden in a macro counts too):

- only the usage aggregates (models/intermediate/usage) and the row reconciliation of the
  audit read the staged usage events: every other model reads the aggregates, so no mart
  rescans the largest table (issue 16);
- no intermediate or Python model reads a mart;
- a mart that reads a mart of another domain says so in its docstring, naming that mart or
  calling itself a cross-domain summary, with its reason beside it.
"""

from __future__ import annotations

import json
import re

import pytest

EVENTS = "model.nrr_engine.stg_raw__usage_events"
EVENT_READERS = {
    "models/intermediate/usage/int_usage_account_feature_days_aggregated.sql",
    "models/intermediate/usage/int_usage_sessions_aggregated.sql",
    # counts the rows of every staged table against its raw rows and its rejections
    "models/audit/audit_row_reconciliation.sql",
}
DOCSTRING = re.compile(r"\{#-?(.*?)-?#\}", re.DOTALL)


@pytest.fixture(scope="module")
def models(tiny_build) -> dict[str, dict]:
    manifest = json.loads((tiny_build.warehouse.parent / "target" / "manifest.json").read_text())
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }


def mart_domain(node: dict) -> str | None:
    parts = node["original_file_path"].split("/")
    return parts[2] if parts[:2] == ["models", "marts"] else None


def test_only_the_usage_aggregates_read_the_raw_events(models):
    readers = {
        node["original_file_path"]
        for node in models.values()
        if EVENTS in node["depends_on"]["nodes"]
    }
    assert readers == EVENT_READERS


def test_no_intermediate_or_python_model_reads_a_mart(models):
    marts = {unique_id for unique_id, node in models.items() if mart_domain(node)}
    offending = {
        node["original_file_path"]: sorted(set(node["depends_on"]["nodes"]) & marts)
        for node in models.values()
        if node["original_file_path"].startswith(("models/intermediate/", "python_models/"))
        and set(node["depends_on"]["nodes"]) & marts
    }
    assert offending == {}


def test_a_mart_reading_another_domain_says_why(models):
    unexplained = []
    for node in models.values():
        domain = mart_domain(node)
        if domain is None:
            continue
        docstring = DOCSTRING.search(node["raw_code"])
        text = " ".join(docstring.group(1).split()) if docstring else ""
        for parent_id in node["depends_on"]["nodes"]:
            parent = models.get(parent_id)
            if parent is None or mart_domain(parent) in (None, domain):
                continue
            if parent["name"] not in text and "cross-domain summary" not in text:
                unexplained.append(f"{node['name']} reads {parent['name']}")
    assert unexplained == []
