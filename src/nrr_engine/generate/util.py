"""Small vectorised helpers: calendar, deterministic RNG streams, growable column buffers."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

SECONDS_PER_HOUR = 3_600
SECONDS_PER_DAY = 86_400
INT_NULL = -1
#: "open" sentinel for end times (seconds), far beyond any simulated date
OPEN_SEC = np.int64(2**62)


def rng_for(seed: int, name: str, *extra: int) -> np.random.Generator:
    """An independent, stable random stream per (seed, purpose[, extra keys])."""
    key = [int(seed) & 0xFFFFFFFF, zlib.crc32(name.encode()), *(int(e) for e in extra)]
    return np.random.default_rng(np.random.SeedSequence(key))


@dataclass(frozen=True)
class Calendar:
    """Month grid: index t = 0 .. T-1; the window is t = P .. T-1; t >= T are future months."""

    pre: int  # P, months simulated before the window
    months: int  # M, window length
    end_day: int  # days since epoch of end-date
    month_start: np.ndarray  # day of the 1st of month t (int64), for t < T + future
    month_days: np.ndarray  # days in month t

    @property
    def T(self) -> int:  # noqa: N802 - conventional name of the horizon
        return self.pre + self.months

    @property
    def end_sec(self) -> int:
        """First second after end-date (exclusive bound for timestamps)."""
        return (self.end_day + 1) * SECONDS_PER_DAY

    @property
    def window_start_day(self) -> int:
        return int(self.month_start[self.pre])

    def boundary(self, t: int, anchor: np.ndarray) -> np.ndarray:
        """Day of the billing anchor in month t (anchor 31 = last day of the month)."""
        return self.month_start[t] + np.minimum(anchor, self.month_days[t]) - 1

    def month_of_day(self, day: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.month_start, day, side="right") - 1

    def month_sec(self, t: int) -> tuple[int, int]:
        """[start, end) seconds of month t, end capped at the end of end-date."""
        lo = int(self.month_start[t]) * SECONDS_PER_DAY
        hi = (int(self.month_start[t]) + int(self.month_days[t])) * SECONDS_PER_DAY
        return lo, min(hi, self.end_sec)


def make_calendar(end_date: dt.date, months: int, pre: int, future: int = 60) -> Calendar:
    end_m = end_date.year * 12 + end_date.month - 1
    first = end_m - (pre + months) + 1
    idx = np.arange(first, first + pre + months + future + 1) - 1970 * 12
    starts = idx.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    days = np.diff(starts)
    epoch = dt.date(1970, 1, 1)
    return Calendar(
        pre=pre,
        months=months,
        end_day=(end_date - epoch).days,
        month_start=starts[:-1],
        month_days=days,
    )


class Chunks:
    """Append-only columnar accumulator (one numpy chunk per append, concatenated once)."""

    def __init__(self, *names: str) -> None:
        self.names = names
        self.parts: dict[str, list[np.ndarray]] = {n: [] for n in names}

    def add(self, **cols: np.ndarray) -> None:
        lengths = {len(np.atleast_1d(v)) for v in cols.values() if np.ndim(v) > 0}
        n = max(lengths) if lengths else 1
        for name in self.names:
            v = cols[name]
            self.parts[name].append(np.broadcast_to(v, (n,)).copy() if np.ndim(v) == 0 else v)

    def concat(self, dtypes: dict[str, type] | None = None) -> dict[str, np.ndarray]:
        out = {}
        for name in self.names:
            parts = self.parts[name]
            arr = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
            if dtypes and name in dtypes:
                arr = arr.astype(dtypes[name])
            out[name] = arr
        return out


class Buffer:
    """Growable columnar table whose rows can be updated after insertion (user stints)."""

    def __init__(self, **dtypes: type) -> None:
        self.cols = {k: np.zeros(1024, dtype=v) for k, v in dtypes.items()}
        self.n = 0

    def append(self, **values: np.ndarray) -> np.ndarray:
        k = max(len(np.atleast_1d(v)) for v in values.values())
        need = self.n + k
        cap = len(next(iter(self.cols.values())))
        if need > cap:
            new_cap = max(need, cap * 2)
            for name, arr in self.cols.items():
                grown = np.zeros(new_cap, dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self.cols[name] = grown
        for name, arr in self.cols.items():
            arr[self.n : need] = values[name]
        idx = np.arange(self.n, need)
        self.n = need
        return idx

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]


def pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (k, m) non-negative weight matrix."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def pick(rng: np.random.Generator, k: int, p) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=k, p=p / p.sum())


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
