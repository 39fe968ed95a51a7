"""Each custom generic test can fail, and the cases that prove it stay out of a user's build.

`tests/dbt/fixtures/generic_test_cases` holds one small model per branch of each custom generic
test (`macros/generic_tests`), each with exactly one defect, and runs the test on it with
`error_if: "=0"`: the build fails when a test finds nothing. That alone would pass a test that
fails for the wrong reason, so each test also stores its failing rows (`store_failures`) and
must return exactly `meta.expected_failures` of them (counted by hand from the fixture's rows).
dbt's run_results.json records `failures: 0` for a test whose inverted condition passed, so the
row counts are read from the stored failures.

The models are disabled unless the var `run_generic_test_fixtures` is true.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, TINY_BOOK, Build, run_dbt

FIXTURE_DIR = "tests/dbt/fixtures/generic_test_cases"
GENERIC_TESTS = sorted(p.stem for p in (REPO / "macros" / "generic_tests").glob("*.sql"))

# The fixtures read int_as_of_date_resolved; a mid-month as_of_date tells the day grain of
# not_after_as_of_date from the month grain. The per-table limit is for a table that exists only
# in fixture_rejected_share_over_a_table_limit, so the real tables keep the default limit.
FIXTURE_VARS = {
    "run_generic_test_fixtures": True,
    "as_of_date": "2024-03-15",
    "max_rejected_share_by_table": {"fixture_strict_table": 0.001},
}
ONLY_THE_FIXTURES = [
    "--select",
    "+tag:fixture",
    # only tests whose every parent is selected: the fixtures' tests, not the marts' tests that
    # also read int_as_of_date_resolved
    "--indirect-selection",
    "cautious",
    "--exclude-resource-type",
    "unit_test",
]


def read_json(build: Build, name: str) -> dict:
    return json.loads((build.warehouse.parent / "target" / name).read_text())


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory) -> Build:
    return run_dbt(
        tmp_path_factory.mktemp("generic_test_fixtures"),
        TINY_BOOK,
        dbt_vars=FIXTURE_VARS,
        extra_args=ONLY_THE_FIXTURES,
    )


@pytest.fixture(scope="module")
def fixture_tests(fixture_build) -> list[dict]:
    """The manifest node of every test defined on a fixture, with its run result."""
    manifest = read_json(fixture_build, "manifest.json")
    results = {r["unique_id"]: r for r in read_json(fixture_build, "run_results.json")["results"]}
    tests = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] == "test" and node["original_file_path"].startswith(FIXTURE_DIR):
            tests.append(node | {"result": results.get(unique_id)})
    return tests


def test_every_must_fail_test_found_its_defect(fixture_build, fixture_tests):
    # error_if "=0": the build passes only if every fixture test returned rows
    assert fixture_build.returncode == 0, fixture_build.output[-6000:]
    assert fixture_tests
    not_run = [t["name"] for t in fixture_tests if t["result"] is None]
    assert not not_run, f"fixture tests that did not run: {not_run}"
    assert {t["name"]: t["result"]["status"] for t in fixture_tests} == {
        t["name"]: "pass" for t in fixture_tests
    }


def test_each_test_returns_exactly_the_rows_of_its_one_defect(fixture_build, fixture_tests):
    counts = {}
    for test in fixture_tests:
        expected = test["config"]["meta"].get("expected_failures")
        assert expected is not None, f"{test['name']} has no meta.expected_failures"
        (found,) = fixture_build.query(f"select count(*) from {test['relation_name']}")[0]
        counts[test["name"]] = (found, expected)
    wrong = {name: c for name, c in counts.items() if c[0] != c[1]}
    assert not wrong, f"(rows found, rows expected): {wrong}"


def test_every_custom_generic_test_has_fixtures(fixture_tests):
    covered = {t["test_metadata"]["name"] for t in fixture_tests}
    assert set(GENERIC_TESTS) <= covered, set(GENERIC_TESTS) - covered


def test_one_defect_per_fixture(fixture_tests):
    """A fixture model is one case: one test on it (a second test would need a second defect)."""
    per_model: dict[str, int] = {}
    for test in fixture_tests:
        model = next(n for n in test["depends_on"]["nodes"] if ".fixture_" in n)
        per_model[model] = per_model.get(model, 0) + 1
    fixture_models = {p.stem for p in (REPO / FIXTURE_DIR).glob("fixture_*.sql")}
    assert {m.rsplit(".", 1)[1] for m in per_model} == fixture_models
    assert {m: n for m, n in per_model.items() if n != 1} == {}


def test_a_default_build_holds_no_fixture(tmp_path: Path):
    """Without the var, the fixtures and their tests are parsed but disabled: `dbt build` and
    `dbt ls` never see them, and no `test_fixtures` schema is created."""
    parsed = run_dbt(tmp_path, TINY_BOOK, command="parse")
    assert parsed.returncode == 0, parsed.output[-4000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    enabled = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["original_file_path"].startswith(FIXTURE_DIR) and node["config"]["enabled"]
    ]
    assert enabled == []
    disabled = {
        node["name"]
        for nodes in manifest["disabled"].values()
        for node in nodes
        if node["original_file_path"].startswith(FIXTURE_DIR)
    }
    fixture_models = {p.stem for p in (REPO / FIXTURE_DIR).glob("fixture_*.sql")}
    assert fixture_models <= disabled  # they exist, and are off
    listed = run_dbt(tmp_path, TINY_BOOK, command="ls", extra_args=["--output", "path"])
    assert listed.returncode == 0, listed.output[-4000:]
    assert FIXTURE_DIR not in listed.output
    assert "models/marts/revenue" in listed.output  # the listing is not empty
