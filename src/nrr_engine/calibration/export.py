"""Adopt calibrated health weights deliberately: copy them from a built warehouse into a seed.

`make calibrate` builds the warehouse, then runs this, which reads
`calibration.calibrated_health_weights` (read-only) and writes `seeds/health_weights_calibrated.csv`
(level, name, weight). Review and commit that file, then build with
`--vars '{health_weights: calibrated}'`: the SQL health score uses those weights instead of the
priors in `seeds/health_signals.csv` and `seeds/health_category_weights.csv`. Signals the model
found to point the wrong way get weight 0; a category whose signals all did keeps its prior.

When the book had too little data to calibrate (`status = 'insufficient_data'`,
docs/definitions.md#minimums) nothing was fitted: the export refuses with the mart's reason and
writes nothing, so the seed never holds weights learned from too little data.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import duckdb

QUERY = """
    select level, name, calibrated_weight
    from calibration.calibrated_health_weights
    where weight_group <> 'missing_indicator' and calibrated_weight is not null
    order by level desc, weight_group, name
"""


STATUS_QUERY = """
    select distinct status, status_reason
    from calibration.calibrated_health_weights
    where status <> 'reported'
"""


class CalibrationNotReported(SystemExit):
    """The warehouse's calibration did not report figures: there are no weights to adopt."""


def export(duckdb_path: str | Path, out_path: str | Path) -> int:
    """Write the calibrated weights seed; return the number of weights written.

    Raises CalibrationNotReported (a SystemExit, so `make calibrate` stops with the message)
    when the calibration was below its minimums, leaving ``out_path`` untouched.
    """
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        not_reported = con.execute(STATUS_QUERY).fetchall()
        rows = con.execute(QUERY).fetchall()
    if not_reported:
        reasons = "; ".join(sorted({reason or status for status, reason in not_reported}))
        raise CalibrationNotReported(
            f"calibration was not reported in {duckdb_path}, so there are no calibrated weights "
            f"to adopt and {out_path} is left as it is: {reasons}. Keep health_weights: prior "
            "(docs/definitions.md#minimums)."
        )
    if not rows:
        raise SystemExit(
            f"no calibrated weights in {duckdb_path}: build the warehouse first (make build)"
        )
    with open(out_path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["level", "name", "weight"])
        writer.writerows((level, name, f"{weight:.6f}") for level, name, weight in rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duckdb-path", default=os.environ.get("NRR_DUCKDB_PATH", "warehouse/nrr.duckdb")
    )
    parser.add_argument("--out", default="seeds/health_weights_calibrated.csv")
    args = parser.parse_args(argv)
    count = export(args.duckdb_path, args.out)
    print(f"wrote {count} calibrated weights to {args.out}; review, commit, then build with "
          "--vars '{health_weights: calibrated}'")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
