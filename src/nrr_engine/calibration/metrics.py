"""Accuracy measures for churn scores, in plain numpy (no scikit-learn at run time).

Conventions: ``y`` is the outcome (bool or 0/1, 1 = churned, no nulls); ``p`` is a *risk* score
(higher = more likely to churn, e.g. a churn probability). To rank a *health* score, where higher
is healthier, pass ``-score`` or ``100 - score``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nrr_engine.calibration._frames import (
    as_pandas,
    known_mask,
    require_columns,
    to_datetime,
    to_float,
    to_label,
)
from nrr_engine.calibration.bands import seed_bands
from nrr_engine.calibration.labels import DEFAULT_HORIZON_DAYS


def _inputs(y, p) -> tuple[np.ndarray, np.ndarray]:
    yy = to_label(y, "y")
    pp = to_float(p, "p")
    if len(yy) != len(pp):
        raise ValueError(f"y and p differ in length: {len(yy)} vs {len(pp)}")
    if np.isnan(pp).any():
        raise ValueError("p has nulls")
    return yy, pp


def _midranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of ``x``, ties getting the average of the ranks they span."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    starts = np.r_[0, np.flatnonzero(xs[1:] != xs[:-1]) + 1]
    ends = np.r_[starts[1:], len(x)]
    average = (starts + ends + 1) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(len(x), dtype=float)
    ranks[order] = np.repeat(average, ends - starts)
    return ranks


def roc_auc(y, p) -> float:
    """Area under the ROC curve: P(score of a random churner > score of a random non-churner).

    Ties count one half (the Mann-Whitney U statistic with mid-ranks, divided by
    ``n_churned * n_retained``). NaN if ``y`` has only one class.
    """
    yy, pp = _inputs(y, p)
    n_pos = int(yy.sum())
    n_neg = len(yy) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = _midranks(pp)[yy == 1].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(y, p) -> float:
    """Average precision: ``sum_k (R_k - R_{k-1}) * P_k`` over the distinct score thresholds.

    Thresholds go from the highest score down; rows with equal scores enter together; ``P_k`` and
    ``R_k`` are precision and recall when everything scoring ``>=`` the k-th threshold is flagged
    (the step-wise definition scikit-learn uses, no interpolation). NaN without any churner.
    """
    yy, pp = _inputs(y, p)
    n_pos = int(yy.sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-pp, kind="mergesort")
    ps, ys = pp[order], yy[order]
    last_of_tie = np.r_[np.flatnonzero(ps[1:] != ps[:-1]), len(ps) - 1]
    true_pos = np.cumsum(ys)[last_of_tie]
    flagged = last_of_tie + 1
    precision = true_pos / flagged
    recall = true_pos / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def brier(y, p) -> float:
    """Brier score: mean of ``(p - y)^2``; 0 is perfect, lower is better. NaN if empty."""
    yy, pp = _inputs(y, p)
    if len(yy) == 0:
        return float("nan")
    return float(np.mean((pp - yy) ** 2))


def summary_metrics(y, p) -> pd.DataFrame:
    """One row: ``n``, ``n_churned`` (int64), ``base_rate``, ``roc_auc``, ``average_precision``,
    ``brier`` and ``brier_skill`` (float64; ``1 - brier / brier of always predicting the base
    rate``, > 0 means better than knowing only the churn rate)."""
    yy, pp = _inputs(y, p)
    base = float(yy.mean()) if len(yy) else float("nan")
    reference = base * (1.0 - base)
    score = brier(yy, pp)
    return pd.DataFrame(
        {
            "n": np.array([len(yy)], dtype=np.int64),
            "n_churned": np.array([int(yy.sum())], dtype=np.int64),
            "base_rate": [base],
            "roc_auc": [roc_auc(yy, pp)],
            "average_precision": [average_precision(yy, pp)],
            "brier": [score],
            "brier_skill": [1.0 - score / reference if reference > 0 else float("nan")],
        }
    )


def calibration_by_decile(y, p, n_bins: int = 10) -> pd.DataFrame:
    """Predicted against observed churn, by bin of predicted probability.

    Rows are sorted by ``p`` (ties kept in input order, so the result is deterministic) and cut
    into ``n_bins`` groups of equal size (sizes differ by at most one); bin 1 holds the lowest
    predictions. Bins that would be empty (fewer rows than bins) are left out.

    Columns: ``decile`` (int64, 1..n_bins), ``n`` (int64), ``n_churned`` (int64),
    ``mean_predicted``, ``observed_rate``, ``min_predicted``, ``max_predicted`` (float64). A
    calibrated model has ``mean_predicted`` close to ``observed_rate`` in every row.
    """
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError("n_bins must be a positive whole number")
    yy, pp = _inputs(y, p)
    n = len(yy)
    order = np.argsort(pp, kind="mergesort")
    bins = np.empty(n, dtype=np.int64)
    bins[order] = np.arange(n) * int(n_bins) // max(n, 1) + 1
    frame = pd.DataFrame({"decile": bins, "y": yy.astype(float), "p": pp})
    grouped = frame.groupby("decile", sort=True)
    out = pd.DataFrame(
        {
            "n": grouped.size().astype(np.int64),
            "n_churned": grouped["y"].sum().astype(np.int64),
            "mean_predicted": grouped["p"].mean(),
            "observed_rate": grouped["y"].mean(),
            "min_predicted": grouped["p"].min(),
            "max_predicted": grouped["p"].max(),
        }
    ).reset_index()
    return out.astype({"decile": np.int64})


def lift_by_band(
    frame,
    band_col: str = "band",
    label_col: str = "churned_within_horizon",
    *,
    known_col: str | None = "is_outcome_known",
    band_order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Churn rate per band and its lift over the overall churn rate.

    Rows whose ``known_col`` is False are left out (if that column exists). Null bands form a
    band ``'(missing)'``. Bands are ordered as ``band_order`` (None: the score bands of
    seeds/health_bands.csv, healthiest first: thriving, healthy, at_risk, critical, churning as
    shipped), then any other value alphabetically, then ``'(missing)'``.

    Columns: ``band`` (str), ``n`` (int64), ``n_churned`` (int64), ``churn_rate`` (float64),
    ``lift`` (float64; ``churn_rate / overall churn rate``, NaN if nobody churned),
    ``share_of_churn`` (float64; this band's share of all churned rows).
    """
    data = as_pandas(frame)
    require_columns(data, [band_col, label_col], "frame")
    data = data.loc[known_mask(data, known_col)]
    y = to_label(data[label_col], label_col)
    band = data[band_col].astype("str").where(data[band_col].notna(), "(missing)").to_numpy()
    work = pd.DataFrame({"band": band, "y": y})
    grouped = work.groupby("band", sort=False)["y"]
    out = pd.DataFrame({"n": grouped.size(), "n_churned": grouped.sum()}).reset_index()
    if band_order is None:
        band_order = seed_bands().healthiest_first
    known = {name: i for i, name in enumerate(band_order)}
    out["_order"] = [
        (0, known[b], "") if b in known else ((2, 0, "") if b == "(missing)" else (1, 0, b))
        for b in out["band"]
    ]
    out = out.sort_values("_order", kind="mergesort").drop(columns="_order").reset_index(drop=True)
    overall = y.mean() if len(y) else float("nan")
    total_churned = y.sum()
    out["n"] = out["n"].astype(np.int64)
    out["n_churned"] = out["n_churned"].astype(np.int64)
    out["churn_rate"] = out["n_churned"] / out["n"]
    out["lift"] = out["churn_rate"] / overall if overall > 0 else np.nan
    out["share_of_churn"] = out["n_churned"] / total_churned if total_churned > 0 else np.nan
    out["band"] = out["band"].astype("str")
    return out.astype({"churn_rate": np.float64, "lift": np.float64, "share_of_churn": np.float64})


# --------------------------------------------------------------------------- early warning


def _flagged(scores: np.ndarray, threshold: float, flag_when: str) -> np.ndarray:
    if flag_when == "below":
        return ~np.isnan(scores) & (scores < threshold)
    if flag_when == "above":
        return ~np.isnan(scores) & (scores > threshold)
    raise ValueError(f"flag_when must be 'below' or 'above', got {flag_when!r}")


def _prepared_history(history, score_col, account_col, date_col, arr_col, churn_col, known_col):
    data = as_pandas(history)
    require_columns(
        data, [account_col, date_col, score_col, arr_col, churn_col, known_col], "history"
    )
    arr = to_float(data[arr_col], arr_col)
    data = data.loc[~(arr <= 0)]
    out = pd.DataFrame(
        {
            "account": data[account_col],
            "date": to_datetime(data[date_col], date_col),
            "score": to_float(data[score_col], score_col),
            "arr": to_float(data[arr_col], arr_col),
            "churn": to_datetime(data[churn_col], churn_col),
            "known_until": to_datetime(data[known_col], known_col),
        },
        index=data.index,
    ).reset_index(drop=True)
    if out["date"].isna().any() or out["known_until"].isna().any():
        raise ValueError(f"{date_col} and {known_col} must not be null")
    return out


def early_warning_events(
    history,
    score_col: str,
    threshold: float,
    lead_days: int = 30,
    *,
    max_lead_days: int | None = None,
    flag_when: str = "below",
    account_col: str = "account_id",
    date_col: str = "snapshot_date",
    arr_col: str = "arr",
    churn_col: str = "churn_date",
    known_col: str = "outcome_known_until",
) -> pd.DataFrame:
    """One row per churn event, saying whether the score warned of it ``lead_days`` ahead.

    A **churn event** is a distinct (account, ``churn_date``) pair among live snapshots (``arr >
    0``); its snapshots are the live snapshots carrying that ``churn_date``, i.e. those since the
    account's previous churn. An account that churns, returns and churns again has two events.

    A snapshot is **flagged** when its score is below ``threshold`` (``flag_when='above'`` for risk
    scores such as a churn probability); null scores are never flagged. The event is **warned** if
    some flagged snapshot is dated ``<= churn_date - lead_days`` (and, if ``max_lead_days`` is
    given, ``>= churn_date - max_lead_days``). Events with no snapshot that early at all (accounts
    younger than ``lead_days``, or history starting late) count as not warned, but are marked.

    Columns: ``account_id`` (input dtype), ``churn_date`` (datetime64[us]), ``arr_last_known``
    (float64; the last non-null ARR of the event's live snapshots -- the ARR that churned),
    ``warnable`` (bool; has a snapshot in the lead window), ``warned`` (bool),
    ``first_warning_date`` (datetime64[us], NaT if not warned), ``arr_at_first_warning``
    (float64), ``lead_days`` (Int64; ``churn_date - first_warning_date``). Sorted by churn_date,
    then account.
    """
    if int(lead_days) != lead_days or lead_days < 0:
        raise ValueError("lead_days must be a non-negative whole number")
    if max_lead_days is not None and max_lead_days < lead_days:
        raise ValueError("max_lead_days must be >= lead_days")
    data = _prepared_history(
        history, score_col, account_col, date_col, arr_col, churn_col, known_col
    )
    data["flagged"] = _flagged(data["score"].to_numpy(), float(threshold), flag_when)
    events = data.loc[data["churn"].notna()].sort_values(["account", "churn", "date"])
    days_before = (events["churn"] - events["date"]).dt.days
    in_window = days_before >= int(lead_days)
    if max_lead_days is not None:
        in_window &= days_before <= int(max_lead_days)
    events = events.assign(in_window=in_window, warning=in_window & events["flagged"])

    keys = ["account", "churn"]
    grouped = events.groupby(keys, sort=False)
    out = grouped.agg(arr_last_known=("arr", "last"), warnable=("in_window", "any")).reset_index()
    first_warning = (
        events.loc[events["warning"], [*keys, "date", "arr"]]
        .drop_duplicates(keys, keep="first")
        .rename(columns={"date": "first_warning_date", "arr": "arr_at_first_warning"})
    )
    out = out.merge(first_warning, on=keys, how="left")
    out["warned"] = out["first_warning_date"].notna().to_numpy(dtype=bool)
    out["lead_days"] = (out["churn"] - out["first_warning_date"]).dt.days.astype("Int64")
    out = out.sort_values(["churn", "account"], kind="mergesort").reset_index(drop=True)
    out = out.rename(columns={"account": account_col, "churn": "churn_date"})
    columns = [
        account_col,
        "churn_date",
        "arr_last_known",
        "warnable",
        "warned",
        "first_warning_date",
        "arr_at_first_warning",
        "lead_days",
    ]
    return out[columns].astype(
        {
            "churn_date": "datetime64[us]",
            "first_warning_date": "datetime64[us]",
            "arr_last_known": np.float64,
            "arr_at_first_warning": np.float64,
            "warnable": bool,
        }
    )


def early_warning(
    history,
    score_col: str,
    threshold: float,
    lead_days: int = 30,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    max_lead_days: int | None = None,
    flag_when: str = "below",
    account_col: str = "account_id",
    date_col: str = "snapshot_date",
    arr_col: str = "arr",
    churn_col: str = "churn_date",
    known_col: str = "outcome_known_until",
) -> pd.DataFrame:
    """How much churn a score threshold warned of ahead of time, and how often it cried wolf.

    The playbook's target "health score accuracy: 80%+ of churn predicted 30+ days out" is
    ``warned_share >= 0.8`` with ``lead_days=30``. ``history`` is the raw snapshot table (it need
    not be labelled); rows with ``arr <= 0`` are ignored.

    **Warning side** (see ``early_warning_events`` for the per-event detail): a churn event is
    warned if the account had a flagged snapshot (score < threshold) at least ``lead_days`` before
    its churn date (and at most ``max_lead_days`` before, if given; by default no upper bound, so
    set ``max_lead_days`` to stop a long-ago, since-recovered dip from counting).

    * ``warned_share`` = warned events / all churn events;
    * ``warned_arr_share`` = ARR of warned events / ARR of all churn events, each event's ARR being
      its last known ARR before churning (``arr_last_known``: the ARR actually lost);
    * ``median_lead_days`` = median days from the first qualifying flag to churn, warned events.

    **False-alarm side**, per account: a flagged snapshot *counts* once its outcome is known (its
    whole ``horizon_days`` has been observed, or it churned within it). An account is **flagged**
    if it has at least one counting flagged snapshot, and a **false alarm** if none of its counting
    flagged snapshots was followed by churn within ``horizon_days`` (``snapshot_date < churn_date
    <= snapshot_date + horizon_days``). ``false_alarm_rate`` = false-alarm accounts / flagged
    accounts. A flag shortly before churn (inside ``lead_days``) is not a false alarm, though it is
    too late to count as a warning. ``snapshot_false_alarm_rate`` is the same at snapshot level
    (1 - precision of the flag over the horizon).

    Returns one row: ``threshold``, ``lead_days``, ``horizon_days``, ``churn_events``,
    ``churn_events_warnable``, ``churn_events_warned``, ``warned_share``, ``churned_arr``,
    ``warned_arr``, ``warned_arr_share``, ``median_lead_days``, ``flagged_accounts``,
    ``false_alarm_accounts``, ``false_alarm_rate``, ``flagged_snapshots``,
    ``false_alarm_snapshots``, ``snapshot_false_alarm_rate``. Counts are int64, the rest float64;
    shares are NaN when their denominator is 0.
    """
    if int(horizon_days) != horizon_days or horizon_days <= 0:
        raise ValueError("horizon_days must be a positive whole number")
    columns = dict(
        account_col=account_col,
        date_col=date_col,
        arr_col=arr_col,
        churn_col=churn_col,
        known_col=known_col,
    )
    events = early_warning_events(
        history,
        score_col,
        threshold,
        lead_days,
        max_lead_days=max_lead_days,
        flag_when=flag_when,
        **columns,
    )
    data = _prepared_history(history, score_col, **columns)
    flagged = _flagged(data["score"].to_numpy(), float(threshold), flag_when)
    horizon_end = data["date"] + pd.Timedelta(days=int(horizon_days))
    churned = (data["churn"].notna() & (data["churn"] <= horizon_end)).to_numpy(dtype=bool)
    known = (horizon_end <= data["known_until"]).to_numpy(dtype=bool) | churned
    counting = flagged & known
    per_account = (
        pd.DataFrame({"account": data["account"], "hit": counting & churned})
        .loc[counting]
        .groupby("account", sort=False)["hit"]
        .any()
    )
    flagged_accounts = len(per_account)
    false_accounts = int((~per_account).sum())
    flagged_snapshots = int(counting.sum())
    false_snapshots = int((counting & ~churned).sum())

    def share(numerator: float, denominator: float) -> float:
        return float(numerator) / float(denominator) if denominator > 0 else float("nan")

    churned_arr = float(events["arr_last_known"].sum())
    warned_arr = float(events.loc[events["warned"], "arr_last_known"].sum())
    n_warned = int(events["warned"].sum())
    leads = events["lead_days"].dropna().to_numpy(dtype=float)
    row = {
        "threshold": float(threshold),
        "lead_days": int(lead_days),
        "horizon_days": int(horizon_days),
        "churn_events": len(events),
        "churn_events_warnable": int(events["warnable"].sum()),
        "churn_events_warned": n_warned,
        "warned_share": share(n_warned, len(events)),
        "churned_arr": churned_arr,
        "warned_arr": warned_arr,
        "warned_arr_share": share(warned_arr, churned_arr),
        "median_lead_days": float(np.median(leads)) if len(leads) else float("nan"),
        "flagged_accounts": flagged_accounts,
        "false_alarm_accounts": false_accounts,
        "false_alarm_rate": share(false_accounts, flagged_accounts),
        "flagged_snapshots": flagged_snapshots,
        "false_alarm_snapshots": false_snapshots,
        "snapshot_false_alarm_rate": share(false_snapshots, flagged_snapshots),
    }
    ints = {
        "lead_days",
        "horizon_days",
        "churn_events",
        "churn_events_warnable",
        "churn_events_warned",
        "flagged_accounts",
        "false_alarm_accounts",
        "flagged_snapshots",
        "false_alarm_snapshots",
    }
    return pd.DataFrame(
        {k: np.array([v], dtype=np.int64 if k in ints else np.float64) for k, v in row.items()}
    )
