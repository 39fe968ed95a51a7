"""The health bands of the seed ``health_bands`` (seeds/health_bands.csv) for the calibration.

One place in Python for the band thresholds, read from the same seed as the SQL: the thin dbt
models pass the warehouse's seed table (``dbt.ref("health_bands").df()``) and the flag band (the
var ``health_flag_band``, rendered into their meta); a library caller that passes nothing gets
the repository's CSV and var (``seed_bands``, ``project_var``), read once. No band name or score
bound is written here (docs/definitions.md#calibration).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from nrr_engine.calibration._frames import as_pandas, require_columns, to_float

#: the band of snapshots without behavioural data (seed `health_bands`): it says that a score is
#: missing, so it is never a band of a score (docs/definitions.md#calibration)
NOT_A_SCORE_BAND = "insufficient_data"

#: the dbt project this package belongs to (src/nrr_engine/calibration/ -> the repository)
PROJECT_DIR = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class HealthBands:
    """The score bands of a band table, lowest score first: (lower bound inclusive, band)."""

    score_bands: tuple[tuple[float, str], ...]

    @property
    def healthiest_first(self) -> tuple[str, ...]:
        """Band names from the highest lower bound to the lowest."""
        return tuple(name for _, name in reversed(self.score_bands))

    def flag_threshold(self, flag_band: str) -> float:
        """The score below which a snapshot is flagged: the upper bound of ``flag_band`` (the
        next band's lower bound), so the flag band and every band below it are flagged.

        Raises ValueError for an unknown band or the top band (it has no upper bound).
        """
        names = [name for _, name in self.score_bands]
        if flag_band not in names:
            raise ValueError(f"flag band {flag_band!r} is not a score band: {names}")
        position = names.index(flag_band)
        if position == len(names) - 1:
            raise ValueError(f"flag band {flag_band!r} is the top band: it has no upper bound")
        return float(self.score_bands[position + 1][0])


def health_bands(bands) -> HealthBands:
    """The score bands of a band table such as the seed ``health_bands`` (columns ``band`` and
    ``lower_score``): every band with a lower bound except ``NOT_A_SCORE_BAND``.

    Raises ValueError if no band is left or two bands share a lower bound.
    """
    frame = as_pandas(bands)
    require_columns(frame, ["band", "lower_score"], "bands")
    lower = to_float(frame["lower_score"], "lower_score")
    keep = ~np.isnan(lower) & (frame["band"].astype("str") != NOT_A_SCORE_BAND).to_numpy()
    out = sorted(zip(lower[keep].tolist(), frame["band"][keep].astype("str"), strict=True))
    if not out:
        raise ValueError("bands: no score band (a band with a lower_score)")
    if len({bound for bound, _ in out}) != len(out):
        raise ValueError(f"bands: two bands share a lower bound: {out}")
    return HealthBands(tuple(out))


@cache
def seed_bands(path: str | Path | None = None) -> HealthBands:
    """The bands of the repository's seeds/health_bands.csv (or ``path``), read once."""
    csv = Path(path) if path is not None else PROJECT_DIR / "seeds" / "health_bands.csv"
    if not csv.is_file():
        raise FileNotFoundError(
            f"{csv} not found: pass the bands (the seed table health_bands) explicitly"
        )
    return health_bands(pd.read_csv(csv))


@cache
def project_var(name: str) -> object:
    """A var of the repository's dbt_project.yml (its default, before any --vars), read once."""
    project = PROJECT_DIR / "dbt_project.yml"
    if not project.is_file():
        raise FileNotFoundError(f"{project} not found: pass {name} explicitly")
    values = yaml.safe_load(project.read_text(encoding="utf-8")).get("vars", {})
    if name not in values:
        raise KeyError(f"dbt_project.yml has no var {name!r}")
    return values[name]


def seed_flag_threshold() -> float:
    """The flag threshold of the repository's seed and var ``health_flag_band`` (70 shipped)."""
    return seed_bands().flag_threshold(str(project_var("health_flag_band")))
