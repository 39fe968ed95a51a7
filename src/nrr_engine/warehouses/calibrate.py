"""`nrr-calibrate-warehouse`: the Python models of python_models/calibration and
python_models/feedback, for a warehouse that runs no dbt Python models (Postgres; Spark through
dbt-spark's session method).

On DuckDB dbt runs the thin Python models: py_feedback_texts_classified and
py_feedback_sentences_classified hand the feedback corpus to nrr_engine.feedback_corpus, and
py_health_calibration_weights, py_health_backtest, py_churn_signal_lift and py_logo_survival
hand the health history to nrr_engine.calibration.pipeline. Elsewhere a plain `dbt build` leaves
them out, with everything that reads them (the default selector of selectors.yml, named in the
build log). This command does their work instead, in two steps, because the health score reads
the feedback classification (its ticket and review tone, int_health_texts_toned) and the
calibration reads the health history: it reads the same input tables from the warehouse, runs
the same calls, and writes each result back as the table the Python model would have written
(feedback.py_feedback_*, calibration.py_*, the same columns), so the SQL in front of them builds
unchanged:

    dbt build                                              # up to the feedback corpus, ...
    nrr-calibrate-warehouse --target postgres --step feedback
    dbt build --selector after_feedback_classification     # the health score, ..., feedback marts
    nrr-calibrate-warehouse --target postgres --step calibration [--vars '{...}']
    dbt build --selector calibration_after_command         # the calibration marts and tests

`--step all` (the default) runs both steps one after the other: for a warehouse whose health
history is already built (a second run after the data changed, then both selectors again).
The vars are those of dbt_project.yml, overridden by --vars (JSON or YAML, as dbt's). The
bodies below are the models' bodies; tests/python/warehouses/test_postgres.py compares the
calibration marts built this way with the DuckDB build's.

Backends: a module nrr_engine.warehouses.<target> with read_table(schema, table) -> pyarrow
Table and write_frames(frames: dict[str, pandas.DataFrame], schema) (replace each table).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from nrr_engine.calibration import pipeline
from nrr_engine.calibration.model import score_bands
from nrr_engine.feedback_corpus import classified_sentences, classified_texts

PROJECT_DIR = Path(__file__).resolve().parents[3]
TARGETS = ("postgres", "spark")
STEPS = ("feedback", "calibration", "all")

#: The schemas the project writes to (macros/generate_schema_name.sql: custom names as they are).
INTERMEDIATE, CONFIG, CALIBRATION, FEEDBACK = "intermediate", "config", "calibration", "feedback"


def project_vars(overrides: dict | None = None, project_dir: Path = PROJECT_DIR) -> dict:
    """The vars of dbt_project.yml, with `overrides` on top (what dbt's --vars does)."""
    document = yaml.safe_load((Path(project_dir) / "dbt_project.yml").read_text(encoding="utf-8"))
    return {**(document.get("vars") or {}), **(overrides or {})}


class Warehouse:
    """Reads tables of a target's warehouse as the pandas frames a dbt Python model gets on
    DuckDB (`dbt.ref(...).df()`): through DuckDB, so the dtypes are the same."""

    def __init__(self, target: str):
        if target not in TARGETS:
            raise ValueError(f"target {target!r} is not one of {', '.join(TARGETS)}")
        self.backend = importlib.import_module(f"nrr_engine.warehouses.{target}")

    def frame(self, schema: str, table: str) -> pd.DataFrame:
        arrow_table = self.backend.read_table(schema, table)  # noqa: F841 (read by DuckDB)
        return duckdb.sql("select * from arrow_table").df()

    def write(self, frames: dict[str, pd.DataFrame], schema: str = CALIBRATION) -> None:
        self.backend.write_frames(frames, schema)


def run_models(warehouse: Warehouse, dbt_vars: dict) -> dict[str, pd.DataFrame]:
    """The four Python models' results, by model name (their bodies, with `dbt.ref(x).df()`
    read from the warehouse and the meta vars from `dbt_vars`)."""
    minimums = pipeline.Minimums.from_vars(dbt_vars)
    flag_band = dbt_vars["health_flag_band"]
    history = warehouse.frame(INTERMEDIATE, "int_health_snapshots_labelled")
    signals = warehouse.frame(CONFIG, "health_signals")
    categories = warehouse.frame(CONFIG, "health_category_weights")
    bands = score_bands(warehouse.frame(CONFIG, "health_bands"))
    tenures = warehouse.frame(INTERMEDIATE, "int_account_tenures_measured")

    # py_health_calibration_weights
    category_weight = dict(zip(categories["category"], categories["weight"], strict=True))
    prior_signal_weights = {
        row.signal_name: row.weight * category_weight[row.category] for row in signals.itertuples()
    }
    signal_categories = dict(zip(signals["signal_name"], signals["category"], strict=True))
    signal_names = signals["signal_name"].tolist()
    run = pipeline.calibrate(history, signal_names, minimums, bands, flag_band)
    weights = pipeline.calibrated_weights(
        run, prior_signal_weights, signal_categories, category_weight
    )
    # py_health_backtest: the model makes the same calibrate call on the same inputs
    backtest = pipeline.backtest(run)
    return {
        "py_health_calibration_weights": weights,
        "py_health_backtest": backtest,
        "py_churn_signal_lift": pipeline.predictive_signals(history, minimums, bands, flag_band),
        "py_logo_survival": pipeline.survival_curves(tenures, minimums),
    }


def run_feedback_models(warehouse: Warehouse) -> dict[str, pd.DataFrame]:
    """The two feedback Python models' results, by model name (their bodies: the corpus'
    text_id and text handed to nrr_engine.feedback_corpus), with the same columns, the cache's
    text_hash and classifier_fingerprint included. Here the whole corpus is classified each
    time: the tables are replaced, not read back (the cache runs in the DuckDB models)."""
    corpus = warehouse.frame(INTERMEDIATE, "int_feedback_corpus_unified")[["text_id", "text"]]
    return {
        "py_feedback_texts_classified": classified_texts(corpus),
        "py_feedback_sentences_classified": classified_sentences(corpus),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="nrr-calibrate-warehouse",
        description="Run the feedback and calibration Python models on a warehouse without dbt "
        "Python models and write their tables back (--step feedback, then dbt build --selector "
        "after_feedback_classification; --step calibration, then dbt build --selector "
        "calibration_after_command).",
    )
    parser.add_argument("--target", required=True, choices=TARGETS)
    parser.add_argument("--vars", default=None, help="overrides of the project vars, as dbt's")
    parser.add_argument(
        "--step",
        choices=STEPS,
        default="all",
        help="feedback: classify the feedback corpus (before the health score is built); "
        "calibration: the calibration models on the health history (after it is built); "
        "all: both (default)",
    )
    args = parser.parse_args(argv)
    overrides = yaml.safe_load(args.vars) if args.vars else {}
    warehouse = Warehouse(args.target)
    written = {}
    if args.step in ("feedback", "all"):
        written[FEEDBACK] = run_feedback_models(warehouse)
        write(warehouse, FEEDBACK, written[FEEDBACK])
    if args.step in ("calibration", "all"):
        written[CALIBRATION] = run_models(warehouse, project_vars(overrides))
        write(warehouse, CALIBRATION, written[CALIBRATION])
    return 0


def write(warehouse: Warehouse, schema: str, frames: dict[str, pd.DataFrame]) -> None:
    warehouse.write(frames, schema)
    for name, frame in frames.items():
        print(f"{schema}.{name}: {len(frame)} rows", flush=True)


if __name__ == "__main__":
    sys.exit(main())
