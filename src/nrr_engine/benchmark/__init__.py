"""Benchmark of the dbt build that a reviewer can rerun.

``python -m nrr_engine.benchmark --scale small|medium|large`` (or ``make benchmark SCALE=...``,
or ``nrr-benchmark``) generates the demo book once per scale into ``.benchmarks/<scale>/raw``,
then times, in one run: the DuckDB floor (one query over every raw table), a full ``dbt build``
from scratch, an incremental ``dbt build`` after one more day of data, and the revenue core
written by hand in DuckDB against dbt's revenue-core models. The figures and the scale's targets
are printed and written to ``.benchmarks/<scale>/results-<timestamp>.json`` and ``latest.json``.
"""

from .cli import main, run_benchmark
from .data import AppendSummary, append_one_day, ensure_raw
from .scales import SCALES

__all__ = ["SCALES", "AppendSummary", "append_one_day", "ensure_raw", "main", "run_benchmark"]
