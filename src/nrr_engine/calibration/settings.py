"""The settings the calibration shares with the SQL: day windows (dbt vars) and the rules of
the predictive-signal table (seed ``churn_signal_flags``).

The thin dbt models pass them in: the vars rendered into their meta
(``dbt.config.meta_get("calibration_windows")``, ``Windows.from_vars``) and the seed table
(``dbt.ref("churn_signal_flags").df()``). The defaults here exist only for direct callers of the
package (a notebook, a test): ``Windows.from_project()`` and ``seed_signal_flags()`` read the
repository's dbt_project.yml and seeds/churn_signal_flags.csv, so no number is written twice
(docs/definitions.md#calibration).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from nrr_engine.calibration._frames import as_pandas, require_columns
from nrr_engine.calibration.bands import PROJECT_DIR, project_var

#: Windows field -> the dbt var that sets it (dbt_project.yml)
WINDOW_VARS = {
    "horizon_days": "health_band_churn_horizon_days",
    "min_lead_days": "health_flag_min_lead_days",
    "max_lead_days": "health_flag_max_lead_days",
}


def whole_numbers_from_vars(
    values: Mapping[str, object] | None, field_vars: Mapping[str, str], kind: str
) -> dict[str, int]:
    """field -> int from a mapping of dbt var name to its rendered text (a thin model's meta).
    A missing or blank var raises ValueError naming the kind of setting and the var."""
    values = values or {}
    fields = {}
    for field, var in field_vars.items():
        raw = values.get(var)
        if raw is None or str(raw).strip() == "":
            raise ValueError(f"{kind} {var} is not set (a var in dbt_project.yml)")
        fields[field] = int(str(raw).strip())
    return fields


@dataclass(frozen=True)
class Windows:
    """The day windows of the labels and the early warning, as the SQL reads them.

    ``horizon_days``: a snapshot is labelled churned when its paid period ends within this many
    days (also the walk-forward gap); ``min_lead_days`` / ``max_lead_days``: a churn counts as
    warned when a flagged snapshot is dated this many days before it, inclusive.
    """

    horizon_days: int  # health_band_churn_horizon_days
    min_lead_days: int  # health_flag_min_lead_days
    max_lead_days: int  # health_flag_max_lead_days

    def __post_init__(self):
        for name, value in vars(self).items():
            if isinstance(value, bool) or int(value) != value or value < 0:
                raise ValueError(
                    f"window {name} must be a whole number of days >= 0, got {value!r}"
                )
        if self.horizon_days < 1:
            raise ValueError(f"window horizon_days must be at least 1, got {self.horizon_days}")
        if self.min_lead_days > self.max_lead_days:
            raise ValueError(
                f"window min_lead_days {self.min_lead_days} is above max_lead_days "
                f"{self.max_lead_days}"
            )

    @classmethod
    def from_vars(cls, values: Mapping[str, object]) -> Windows:
        """The windows from a mapping of var name to value: what a thin model's
        ``dbt.config.meta_get("calibration_windows")`` returns (dbt renders each var into text,
        so each is converted to an int here). A missing or blank var raises ValueError."""
        return cls(**whole_numbers_from_vars(values, WINDOW_VARS, "window"))

    @classmethod
    def from_project(cls) -> Windows:
        """For direct callers only: the vars' defaults in the repository's dbt_project.yml."""
        return cls.from_vars({var: project_var(var) for var in WINDOW_VARS.values()})


#: seed comparison -> pandas ``eval`` operator
COMPARISONS = {"below": "<", "at_most": "<=", "at_least": ">=", "above": ">"}

#: the one measure whose threshold may be left empty in the seed: it then is the health flag
#: threshold (the upper bound of the band ``health_flag_band``; 70 as shipped)
FLAG_THRESHOLD_MEASURE = "composite_score"

SIGNAL_FLAG_COLUMNS = ("flag_order", "flag_name", "measure", "comparison", "threshold")


def signal_flags(rules, flag_threshold: float) -> dict[str, str]:
    """The predictive-signal flags as ``pandas.eval`` expressions, one per flag name, in
    ``flag_order``: each of a flag's rows (``measure comparison threshold``) is a condition and
    all of them must hold, e.g. ``days_to_renewal_value <= 60 and composite_score < 70``.

    ``rules`` is a table like the seed ``churn_signal_flags``. A ``composite_score`` row with an
    empty threshold takes ``flag_threshold``. Raises ValueError for an unknown comparison, an
    empty threshold on another measure, or a flag whose rows disagree on ``flag_order``.
    """
    frame = as_pandas(rules)
    require_columns(frame, SIGNAL_FLAG_COLUMNS, "signal flag rules")
    if frame.empty:
        raise ValueError("signal flag rules: no rule")
    orders = frame.groupby("flag_name")["flag_order"].nunique()
    if (orders > 1).any():
        raise ValueError(
            f"signal flag rules: a flag with two flag_orders: {list(orders[orders > 1].index)}"
        )
    conditions: dict[str, list[str]] = {}
    ordered = frame.assign(_row=np.arange(len(frame))).sort_values(["flag_order", "_row"])
    for row in ordered.itertuples(index=False):
        comparison = str(row.comparison)
        if comparison not in COMPARISONS:
            raise ValueError(
                f"signal flag {row.flag_name!r}: comparison {comparison!r} is not one of "
                f"{sorted(COMPARISONS)}"
            )
        threshold = row.threshold
        if pd.isna(threshold):
            if row.measure != FLAG_THRESHOLD_MEASURE:
                raise ValueError(
                    f"signal flag {row.flag_name!r}: {row.measure} has no threshold (only "
                    f"{FLAG_THRESHOLD_MEASURE} may leave it empty: the flag threshold)"
                )
            threshold = flag_threshold
        condition = f"{row.measure} {COMPARISONS[comparison]} {float(threshold):g}"
        conditions.setdefault(str(row.flag_name), []).append(condition)
    return {name: " and ".join(parts) for name, parts in conditions.items()}


@cache
def seed_signal_flags(path: str | Path | None = None) -> pd.DataFrame:
    """For direct callers only: the repository's seeds/churn_signal_flags.csv (or ``path``)."""
    csv = Path(path) if path is not None else PROJECT_DIR / "seeds" / "churn_signal_flags.csv"
    if not csv.is_file():
        raise FileNotFoundError(
            f"{csv} not found: pass the rules (the seed table churn_signal_flags) explicitly"
        )
    return pd.read_csv(csv)
