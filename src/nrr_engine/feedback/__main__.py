"""``python -m nrr_engine.feedback classify|evaluate|compare|report``.

- ``classify --input IN.csv --output OUT.csv [--sentences SENT.csv]``: IN has columns ``id,text``
  (and optionally ``source``, passed through); OUT has ``id,themes,sentiment,competitor,
  confidence`` (themes ``|``-separated, competitor empty when none).
- ``evaluate [--output report.json]``: the test-split figures and the public check.
- ``compare [--output comparison.json]``: the cross-validated comparison on the train split.
- ``report --duckdb-path WH [--month YYYY-MM] [--out DIR]``: the monthly Customer Feedback
  Synthesis Report from the feedback marts of WH (read-only), as ``DIR/feedback_synthesis_<month>``
  ``.md`` and ``.html``; the month defaults to the latest complete month of the marts.

Seeds are read from the project's ``seeds/`` unless ``--seeds-dir`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from nrr_engine.feedback.classifier import default_classifier, read_labelled
from nrr_engine.feedback.evaluation import compare, evaluate
from nrr_engine.feedback.report import ReportError, parse_month, write_report
from nrr_engine.feedback.taxonomy import load_taxonomy

OUTPUT_COLUMNS = ["id", "themes", "sentiment", "competitor", "confidence"]


class InputError(Exception):
    """A problem with the user's input, reported without a traceback."""


def read_input(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"input file not found: {path}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path} as CSV: {error}") from error
    missing = [column for column in ("id", "text") if column not in frame.columns]
    if missing:
        raise InputError(
            f"{path} lacks column(s) {', '.join(missing)} "
            f"(needs id,text and optionally source; has: {', '.join(frame.columns)})"
        )
    return frame


def _classify(args) -> int:
    frame = read_input(Path(args.input))
    classifier = default_classifier(args.seeds_dir)
    started = time.perf_counter()
    result = classifier.classify(frame["text"].tolist(), ids=frame["id"].tolist())
    elapsed = time.perf_counter() - started
    texts = result.texts
    columns = OUTPUT_COLUMNS + (["source"] if "source" in frame.columns else [])
    if "source" in frame.columns:
        texts = texts.assign(source=frame["source"].tolist())
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    texts[columns].to_csv(args.output, index=False)
    if args.sentences:
        result.sentences.to_csv(args.sentences, index=False)
    rate = len(frame) / elapsed if elapsed > 0 else float("inf")
    print(
        f"classified {len(frame)} texts into {args.output} ({rate:,.0f} texts/s)", file=sys.stderr
    )
    return 0


def _write(report: dict, output: str | None) -> None:
    text = json.dumps(report, indent=2, sort_keys=True)
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text + "\n")
    print(text)


def _evaluate(args) -> int:
    _write(evaluate(load_taxonomy(args.seeds_dir), args.labelled, args.public_sample), args.output)
    return 0


def _compare(args) -> int:
    train = read_labelled(args.labelled, split="train")
    _write(compare(load_taxonomy(args.seeds_dir), train), args.output)
    return 0


def _report(args) -> int:
    month = parse_month(args.month) if args.month else None
    markdown, page = write_report(Path(args.duckdb_path), month, Path(args.out), args.top)
    print(f"wrote {markdown} and {page}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nrr_engine.feedback", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("classify", help="classify the texts of a CSV (id,text[,source])")
    run.add_argument("--input", required=True)
    run.add_argument("--output", required=True)
    run.add_argument("--sentences", help="also write one row per sentence to this CSV")
    run.set_defaults(handler=_classify)
    for name, handler, help_text in (
        ("evaluate", _evaluate, "test-split figures and the public AUC"),
        ("compare", _compare, "cross-validated comparison of the methods on the train split"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--output", help="also write the JSON report to this file")
        sub.add_argument("--labelled", help="labelled CSV (default: the package's labelled set)")
        if name == "evaluate":
            sub.add_argument("--public-sample", help="public review CSV id,text,score")
        sub.set_defaults(handler=handler)
    for sub in (run, *[commands.choices[n] for n in ("evaluate", "compare")]):
        sub.add_argument("--seeds-dir", help="folder of the seed CSVs (default: the project's)")
    report = commands.add_parser("report", help="the monthly Customer Feedback Synthesis Report")
    report.add_argument("--duckdb-path", required=True, help="the built DuckDB warehouse")
    report.add_argument("--month", help="YYYY-MM (default: the latest complete month)")
    report.add_argument("--out", default="reports", help="output folder (default: reports)")
    report.add_argument("--top", type=int, default=5, help="themes listed (default: 5)")
    report.set_defaults(handler=_report)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (InputError, ReportError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
