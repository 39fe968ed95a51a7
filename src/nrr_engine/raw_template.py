"""Write a template raw folder: every table of the raw contract as a header-only CSV, and a guide.

The columns, types, accepted values, defaults and what is required come from the raw contract
(``models/staging/raw/_raw__sources.yml``, read with ``nrr_engine.quality.contract``), never from
a list kept here, so the template cannot drift from what the build checks. The folder as written
is a valid (empty) raw folder; fill in the files you have and delete the ones you do not
(docs/definitions.md#required-and-optional-input, docs/map_your_exports.md).

    nrr-raw-template --out my_exports
    python -m nrr_engine.raw_template --out my_exports
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import yaml

from nrr_engine.quality.contract import (
    BASE_CURRENCY,
    CONTRACT_FILE,
    RAW_SOURCE_NAME,
    ColumnContract,
    TableContract,
    load_raw_contract,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]
GUIDE = "README.md"


def _descriptions(project_dir: Path) -> dict[tuple[str, str | None], str]:
    """Table and column descriptions of the contract YAML, keyed (table, column or None)."""
    document = yaml.safe_load((project_dir / CONTRACT_FILE).read_text(encoding="utf-8"))
    found: dict[tuple[str, str | None], str] = {}
    for source in document.get("sources") or []:
        if source.get("name") != RAW_SOURCE_NAME:
            continue
        for table in source.get("tables") or []:
            found[(table["name"], None)] = " ".join(str(table.get("description", "")).split())
            for column in table.get("columns") or []:
                text = " ".join(str(column.get("description", "")).split())
                found[(table["name"], str(column["name"]).lower())] = text
    return found


def _table_status(table: TableContract) -> str:
    if table.required:
        return "required"
    if table.required_when == "foreign_currency":
        return f"required when a row is not in {BASE_CURRENCY}, else optional"
    return "optional (absent: an empty table)"


def _column_status(column: ColumnContract) -> str:
    if column.has_default:
        return f"optional, default `{column.default}`"
    if column.nullable:
        return "optional, null when absent or empty"
    return "required"


def _rules(column: ColumnContract) -> str:
    rules = []
    if column.values:
        rules.append("one of " + ", ".join(f"`{v}`" for v in column.values))
    if column.min is not None:
        rules.append(f">= {column.min}")
    if column.max is not None:
        rules.append(f"<= {column.max}")
    if column.exclusive_min is not None:
        rules.append(f"> {column.exclusive_min}")
    return "; ".join(rules)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def guide_text(tables: list[TableContract], descriptions: dict) -> str:
    """The folder's README: what each file and column is, and what may be left out."""
    required = [t for t in tables if t.required]
    lines = [
        "# Raw folder template",
        "",
        "Written by `nrr-raw-template` from the raw contract "
        f"(`{CONTRACT_FILE.as_posix()}`). One CSV per table, header only: "
        "fill in the files you have (or write `<table>.parquet` instead), delete the ones you do "
        "not have, and point `NRR_RAW_PATH` at the folder.",
        "",
        "- Required files: "
        + ", ".join(f"`{t.name}` ({', '.join(t.required_columns)})" for t in required)
        + f", and `fx_rates` when a row is not in {BASE_CURRENCY}. Every other file may be "
        "deleted: the table is then empty.",
        "- In a file that is there, every column marked required must be there too (in an "
        "optional file as well). A column marked optional may be deleted from its file: it is "
        "then null, or its default on every row. A default applies only to a column that is not "
        "there; an empty value in a column that is there is a broken row (quarantined in "
        "`audit.audit_rejected_rows`), except where the column is nullable.",
        "- Dates are `YYYY-MM-DD`, timestamps ISO 8601 in UTC; extra columns are ignored; names "
        "match case-insensitively.",
        "- Worked mappings of common exports: `docs/map_your_exports.md`; every rule and default "
        "with its reason: `docs/definitions.md#required-and-optional-input`.",
        "",
    ]
    for table in tables:
        lines += [
            f"## {table.name}.csv ({_table_status(table)})",
            "",
            descriptions.get((table.name, None), ""),
            "",
        ]
        if table.primary_key:
            lines += [f"Key: {', '.join(table.primary_key)}.", ""]
        lines += ["| column | type | status | rules | meaning |", "| --- | --- | --- | --- | --- |"]
        for column in table.columns:
            meaning = descriptions.get((table.name, column.name), "")
            lines.append(
                f"| `{column.name}` | {column.type} | {_column_status(column)} | "
                f"{_cell(_rules(column))} | {_cell(meaning)} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_template(out_dir: Path | str, project_dir: Path | str = PROJECT_DIR) -> list[Path]:
    """Write every table's header-only CSV and the guide into `out_dir`; returns the paths.

    Refuses to overwrite a file that is already there (it may hold someone's export).
    """
    out = Path(out_dir)
    tables = load_raw_contract(project_dir)
    targets = [out / f"{t.name}.csv" for t in tables] + [out / GUIDE]
    existing = [p for p in targets if p.exists()]
    if existing:
        names = ", ".join(p.name for p in existing)
        raise FileExistsError(f"{out} already holds {names}; choose an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    for table, path in zip(tables, targets, strict=False):
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerow(table.column_names)
    guide = guide_text(tables, _descriptions(Path(project_dir)))
    (out / GUIDE).write_text(guide, encoding="utf-8")
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nrr-raw-template",
        description="Write a template raw folder: every raw table as a header-only CSV, and a "
        "README.md saying which tables and columns are required, and the defaults of the rest.",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write (new or empty)")
    args = parser.parse_args(argv)
    try:
        written = write_template(args.out)
    except FileExistsError as error:
        print(f"nrr-raw-template: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(written) - 1} header-only CSV files and {GUIDE} into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
