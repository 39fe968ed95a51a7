"""Onboarding: the activation path of each new account and its onboarding events.

New accounts of the window (not those created before it: their onboarding is not observed)
follow the activation path of their segment and use case (constants ONBOARDING_PATHS). An
account that does not fail activation sends the setup event (M1) and the first-value event (M2)
after lognormal delays of its path, and with its path's shares builds a habit (an event on two
more days of its first week) and brings a second user within 14 days. An account that fails
activation (the activation_failure driver) sends none of them, so it misses M1 and M2.

Everything draws from the ``onboarding`` stream: the rest of the book does not move.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import constants as C
from .util import SECONDS_PER_DAY, SECONDS_PER_HOUR, rng_for

HABIT_EXTRA_DAYS = 2
HABIT_DAY_RANGE = (1, 7)
TEAM_DAYS = 14
MARGIN_SEC = 60


def account_paths(seg: np.ndarray, use_case: np.ndarray) -> np.ndarray:
    """Index into C.ONBOARDING_PATHS of each account: the first path that matches."""
    path = np.full(len(seg), -1, np.int64)
    for i, (_, segment, cases) in enumerate(C.ONBOARDING_PATHS):
        m = seg == C.SEGMENTS.index(segment)
        if cases is not None:
            m &= np.isin(use_case, [C.USE_CASES.index(u) for u in cases])
        path = np.where((path < 0) & m, i, path)
    return path


def plan(sim) -> dict[str, np.ndarray]:
    """Planned onboarding times (seconds, -1 when none) per account."""
    a, n = sim.a, sim.n
    rng = rng_for(sim.seed, "onboarding")
    path = account_paths(a["seg"], a["use_case"])
    names = [p for p, _, _ in C.ONBOARDING_PATHS]
    t = {k: np.array([C.ONBOARDING_PATH_TIMING[p][k] for p in names])[path] for k in
         ("m1_h", "m2_h", "sigma", "m3", "m4")}  # fmt: skip
    z = rng.normal(0.0, 1.0, (2, n))
    u = rng.random((2, n))
    habit_days = rng.integers(*HABIT_DAY_RANGE, (n, HABIT_EXTRA_DAYS))
    team_sec = rng.integers(SECONDS_PER_HOUR, TEAM_DAYS * SECONDS_PER_DAY, n)
    m1 = a["csec"] + (t["m1_h"] * np.exp(t["sigma"] * z[0]) * SECONDS_PER_HOUR).astype(np.int64)
    m2 = m1 + (t["m2_h"] * np.exp(t["sigma"] * z[1]) * SECONDS_PER_HOUR).astype(np.int64)
    on = ~a["pre"] & ~a["act_fail"]
    return dict(
        path=path,
        on=on,
        m1=np.where(on, m1, -1),
        m2=np.where(on, m2, -1),
        habit=on & (u[0] < t["m3"]),
        habit_days=habit_days,
        team=on & (u[1] < t["m4"]),
        team_sec=a["csec"] + team_sec,
    )


def events(b, ev_counter: int, sess_counter: int) -> tuple[list[tuple], np.ndarray]:
    """(account, user row, second, feature) of every onboarding event, and the second at which
    each account's first-value event was emitted (-1 when none)."""
    sim = b.sim
    p = plan(sim)
    hist = sim.hist
    w = np.clip(sim.a["c"] - sim.cal.pre, 0, sim.cal.months - 1)
    idx = np.arange(sim.n)
    champ = hist["champ"][w, idx]
    admin = hist["admin"][w, idx]
    rows: list[tuple[np.ndarray, ...]] = []
    m2_emitted = np.full(sim.n, -1, np.int64)

    def add(mask, rec, sec, feature, keep_m2=False):
        sel = np.flatnonzero(mask & (rec >= 0))
        if len(sel) == 0:
            return
        urow = b._user_rows(sel, rec[sel], np.zeros(len(sel), np.int64), np.full(len(sel), -1))
        ok, s = b._clamp_to_user(urow, sec[sel])
        ok &= (s < np.minimum(sim.acc_end[sel], b.end_sec)) & (s >= sim.a["csec"][sel])
        rows.append((sel[ok], urow[ok], s[ok], np.full(int(ok.sum()), feature)))
        if keep_m2:
            m2_emitted[sel[ok]] = s[ok]

    add(p["on"], champ, p["m1"], C.ONBOARDING_SETUP_FEATURE)
    add(p["on"], champ, p["m2"], C.ONBOARDING_VALUE_FEATURE, keep_m2=True)
    for k in range(HABIT_EXTRA_DAYS):
        day = sim.a["csec"] + p["habit_days"][:, k] * SECONDS_PER_DAY
        add(p["habit"], champ, day, C.ONBOARDING_HABIT_FEATURE)
    add(p["team"], admin, p["team_sec"], C.ONBOARDING_HABIT_FEATURE)
    return rows, m2_emitted


def to_table(b, rows, ev_counter: int, sess_counter: int, schema) -> pa.Table:
    from .io import id_array, ts_array

    acct = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.int64)
    urow = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, np.int64)
    sec = np.concatenate([r[2] for r in rows]) if rows else np.zeros(0, np.int64)
    feat = np.concatenate([r[3] for r in rows]) if rows else np.zeros(0, str)
    order = np.lexsort((np.arange(len(sec)), sec))
    acct, urow, sec, feat = acct[order], urow[order], sec[order], feat[order]
    m = len(sec)
    return pa.table(
        {
            "event_id": id_array("E", ev_counter + 1 + np.arange(m), 10),
            "account_id": b.acct(acct),
            "user_id": b.user_ids.take(pa.array(urow)),
            "occurred_at": ts_array(sec),
            "feature": pa.array(feat.tolist(), pa.string()),
            "session_id": id_array("S", sess_counter + 1 + np.arange(m), 9),
        },
        schema=schema,
    )


def realised_effect(sim, m2_first: np.ndarray) -> dict:
    """The churn ratio the planted effect realises: of accounts that first paid in the window,
    the share with a first churn on or before the end of the 6th (12th) month after their first
    paid month, M2 missed within its window against reached, on the simulated truth.

    ``m2_first``: second of each account's first first-value event (base stream or onboarding),
    int64 max when none."""
    a, cal = sim.a, sim.cal
    big = np.iinfo(np.int64).max
    churn_day = np.where(sim.first_churn_day >= 0, sim.first_churn_day, big)
    hours = np.where(m2_first < big, (m2_first - a["csec"]) / SECONDS_PER_HOUR, np.inf)
    reached = hours <= C.ONBOARDING_M2_WINDOW_HOURS
    m0 = sim.first_paid_m
    out = {}
    for months in (6, 12):
        tgt = np.minimum(m0 + months, cal.T - 1)
        end_of_tgt = cal.month_start[tgt] + cal.month_days[tgt] - 1
        ok = (~a["pre"]) & (m0 >= cal.pre) & (m0 + months < cal.T) & (end_of_tgt <= cal.end_day)
        churned = churn_day <= end_of_tgt
        res: dict = {}
        for name, grp in (("missed", ok & ~reached), ("reached", ok & reached)):
            res[name] = {"accounts": int(grp.sum()), "churned": int((grp & churned).sum())}
        miss, hit = res["missed"], res["reached"]
        if miss["accounts"] and hit["accounts"] and hit["churned"]:
            ratio = (miss["churned"] / miss["accounts"]) / (hit["churned"] / hit["accounts"])
            res["churn_ratio"] = round(ratio, 4)
        else:
            res["churn_ratio"] = None
        out[f"{months}_months"] = res
    return out
