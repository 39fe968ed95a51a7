"""A clone must be self-contained: no tracked file reads outside the repository.

A user's clone has nothing beside it, and CI clones into a folder of its own, so a path to a
sibling folder or to one machine's absolute location works only on the machine that wrote it.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Written in pieces so that this file does not match its own patterns.
SIBLING = re.compile(r"\.\./" + "shared" + r"|parent\s*/\s*[\"']" + "shared")
MACHINE_ROOTS = re.compile(r"(?<![\w.])/(?:" + "work|home|root|Users" + r")/[\w.-]")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    files = []
    for name in filter(None, names):
        path = REPO / name.decode()
        data = path.read_bytes() if path.is_file() else b""
        if b"\0" not in data[:8192]:
            files.append(path)
    return files


def offending_lines(pattern: re.Pattern) -> list[str]:
    hits = []
    for path in tracked_text_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:120]}")
    return hits


def test_the_file_list_is_real():
    files = {p.relative_to(REPO).as_posix() for p in tracked_text_files()}
    assert {"README.md", "dbt_project.yml", "LICENSE"} <= files


def test_no_tracked_file_reads_a_sibling_folder():
    assert offending_lines(SIBLING) == []


def test_no_tracked_file_names_an_absolute_path_of_one_machine():
    assert offending_lines(MACHINE_ROOTS) == []
    # the folder this clone sits in, unless it is the system's temporary folder: the docs name
    # example paths there (`NRR_DUCKDB_PATH=/tmp/x.duckdb`), and a clone may well sit in it
    if REPO.parent.resolve() != Path(tempfile.gettempdir()).resolve():
        own_location = re.compile(r"(?<![\w.])" + re.escape(str(REPO.parent)) + r"/")
        assert offending_lines(own_location) == []


def test_the_patterns_catch_what_they_are_for():
    # each pattern matches the forms that broke clones before, and not ordinary text
    assert SIBLING.search('CSV = REPO.parent / "' + 'shared" / "external"')
    assert SIBLING.search("see ../" + "shared/external/README.md")
    assert MACHINE_ROOTS.search("(``/" + "work/shared/external/README.md``)")
    assert not MACHINE_ROOTS.search("NRR_DUCKDB_PATH=/tmp/x.duckdb and docs/wo" + "rk/notes.md")


def test_the_repository_has_a_licence_named_in_the_package():
    licence = (REPO / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0" in licence
    assert 'license = { text = "Apache-2.0" }' in (REPO / "pyproject.toml").read_text()
    for data_set in ("mrr_playbook", "telco_churn"):
        folder = REPO / "tests" / "data" / "external" / data_set
        assert (folder / "LICENSE").read_text().startswith("MIT License")
        assert (folder / "README.md").exists()
