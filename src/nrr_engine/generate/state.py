"""Indices and the shared state of the simulation: account arrays, open lines, outputs.

``SimulationState`` owns the numpy arrays that every concern of the simulation reads and
writes (``accounts.py``, ``churn.py``, ``behaviour.py``); ``simulate.py`` combines the concerns
into ``Simulation`` and steps the state month by month.
"""

from __future__ import annotations

import numpy as np

from . import constants as C
from .util import OPEN_SEC, Buffer, Calendar, Chunks

NEVER = -(10**6)  # "month of onset" sentinel far in the past

# user roles (index into C.USER_ROLES)
CHAMPION, SPONSOR, ADMIN, END_USER = 0, 1, 2, 3
# line slots: one open line per (account, slot) at a time
CORE, ANALYTICS, AUTOMATION, USAGE = 0, 1, 2, 3
SLOTS = (CORE, ANALYTICS, AUTOMATION, USAGE)
PRODUCT_OF_SLOT = [0, 1, 2, 3]
ONBOARDING_PRODUCT = 4
RECURRING, ONE_TIME, USAGE_LINE = 0, 1, 2
# account status
NOT_PAYING, PAYING, CHURNED = 0, 1, 2
REASON = {r: i for i, r in enumerate(C.CHURN_REASONS)}
PLAN = C.PLAN_INDEX
PLAN_USD = np.zeros(len(C.PLANS))
for _name, _usd in C.PLAN_PRICE_USD.items():
    PLAN_USD[PLAN[_name]] = _usd
SEG_PLANS = np.array([[PLAN[p] for p in row] for row in C.SEGMENT_PLANS])
CRM = {e: i for i, e in enumerate(C.CRM_EVENT_TYPES)}
FX = np.array([1.0, C.FX_RATES["EUR"], C.FX_RATES["GBP"]])


class SimulationState:
    """State arrays of all accounts (one entry per account) and the columnar outputs."""

    n: int
    seed: int
    cal: Calendar
    rng: np.random.Generator  # commercial path
    rb: np.random.Generator  # behavioural rows (does not move the path)
    a: dict[str, np.ndarray]  # fixed attributes drawn at creation (accounts.py)
    mu_ref: np.ndarray
    scenario: object | None  # generate/scenarios.py Scenario; None for healthy

    def _init_state(self) -> None:
        n, a = self.n, self.a
        z = np.zeros
        self.status = z(n, np.int8)  # NOT_PAYING, PAYING, CHURNED
        self.h = a["h0"].astype(np.float64).copy()
        self.interval = z(n, np.int64)
        self.term_end = np.full(n, -1)
        self.n_ren = z(n, np.int64)
        self.core_start_m = np.full(n, -1)
        self.first_paid_m = np.full(n, -1)
        self.seats = a["seats0"].copy()
        self.plan = a["plan0"].copy()
        self.lead_ann = np.full(n, 1)
        self.free = z(n, bool)
        # open line per slot
        self.s_open = z((4, n), bool)
        self.s_start = z((4, n), np.int64)
        self.s_start_m = z((4, n), np.int64)
        self.s_qty = z((4, n))
        self.s_price = z((4, n))
        self.s_disc = z((4, n))
        self.s_ivl = z((4, n), np.int64)
        self.s_plan = z((4, n), np.int64)
        self.s_end_m = np.full((4, n), -1)
        # intents
        self.intent_exec = np.full(n, -1)
        self.intent_m = np.full(n, -1)
        self.intent_reason = np.full(n, -1)
        self.exp_exec = np.full(n, -1)
        self.exp_kind = np.full(n, -1)
        self.con_exec = np.full(n, -1)
        self.con_kind = np.full(n, -1)
        # drivers: month of last onset and (ground truth) day of first onset in the window
        self.champ_m = np.full(n, NEVER)
        self.ud_m = np.full(n, NEVER)
        self.pay_m = np.full(n, NEVER)
        self.comp_m = np.full(n, NEVER)
        self.new_champ_m = np.full(n, -1)
        self.gt = {d: np.full(n, -1) for d in C.DRIVERS}
        # churn history
        self.last_churn_day = np.full(n, -1)
        self.last_reason = np.full(n, -1)
        self.first_churn_day = np.full(n, -1)
        self.first_reason = np.full(n, -1)
        self.react_m = np.full(n, -1)
        self.react_day = np.full(n, -1)
        self.n_react = z(n, np.int64)
        # access spell (seconds)
        self.acc_start = a["csec"].copy()
        self.acc_end = np.full(n, OPEN_SEC)
        # users
        self.champ_rec = np.full(n, -1)
        self.sponsor_rec = np.full(n, -1)
        self.admin_rec = np.full(n, -1)
        self.eu_lo = z(n, np.int64)
        self.eu_hi = z(n, np.int64)
        # integrations: connected_at second per (account, integration), -1 = not connected
        self.conn = np.full((n, len(C.INTEGRATION_CATALOGUE)), -1)

    def _init_outputs(self) -> None:
        M, n = self.cal.months, self.n
        self.lines = Chunks(
            "acct",
            "product",
            "plan",
            "ltype",
            "ivl",
            "start",
            "end",
            "start_m",
            "end_m",
            "qty",
            "price",
            "disc",
        )
        self.stints = Buffer(
            acct=np.int64, role=np.int8, licensed=bool, count=np.int64, start=np.int64, end=np.int64
        )
        self.eu_create = Chunks("acct", "r0", "r1", "sec")
        self.eu_deact = Chunks("acct", "r0", "r1", "sec")
        self.integ = Chunks("acct", "k", "conn", "disc")
        self.tickets = Chunks(
            "acct",
            "sec",
            "topic",
            "tone",
            "subj",
            "body",
            "prio",
            "resolved",
            "csat",
            "urec",
            "uj",
            "urank",
        )
        self.nps = Chunks("acct", "sec", "score", "comment", "urec", "uj", "urank")
        self.feedback = Chunks("acct", "source", "sec", "body", "rating")
        self.community = Chunks("acct", "sec", "atype", "urec", "uj", "urank")
        self.crm = Chunks("acct", "sec", "etype", "role", "details")
        self.surveys = Chunks("acct", "sec", "reason", "comp", "comment")
        self.pay_fail = Chunks("acct", "t", "res_days")
        shape = (M, n)
        self.hist = dict(
            lo=np.zeros(shape, np.int64),
            hi=np.zeros(shape, np.int64),
            s=np.zeros(shape, np.float32),
            umult=np.zeros(shape, np.float32),
            seats=np.zeros(shape, np.int32),
            eu_lo=np.zeros(shape, np.int64),
            eu_hi=np.zeros(shape, np.int64),
            champ=np.full(shape, -1, np.int64),
            sponsor=np.full(shape, -1, np.int64),
            admin=np.full(shape, -1, np.int64),
        )

    # ------------------------------------------------------------------ helpers
    def _local(self, usd: np.ndarray, idx: np.ndarray, digits: int = 0) -> np.ndarray:
        """List price in the account's currency."""
        return np.round(usd / FX[self.a["cur"][idx]], digits)

    def _rand_sec(self, rng, idx: np.ndarray, t: int) -> np.ndarray:
        """A random second inside the account's access interval of month t (or the month)."""
        lo, hi = self.cal.month_sec(t)
        lo_a = np.maximum(lo, self.acc_start[idx])
        hi_a = np.minimum(hi, self.acc_end[idx])
        bad = hi_a <= lo_a
        lo_a = np.where(bad, lo, lo_a)
        hi_a = np.where(bad, hi, hi_a)
        return lo_a + (rng.random(len(idx)) * (hi_a - lo_a)).astype(np.int64)

    def _gt(self, driver: str, idx: np.ndarray, day: np.ndarray) -> None:
        """Ground truth: the day of a driver's first onset in the window."""
        g = self.gt[driver]
        first = g[idx] < 0
        g[idx[first]] = np.asarray(day)[first]
