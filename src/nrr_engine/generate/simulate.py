"""Monthly, vectorised simulation of a B2B SaaS book.

One loop over months (never over accounts): every step updates numpy state arrays of all
accounts at once. A latent health per account (mean-reverting random walk whose level depends
on ICP tier and segment) drives both the commercial path (renewals, expansion, contraction,
churn, win-back) and the behaviour (users, support, NPS, CRM signals, community, integrations).
Planted churn drivers (``DRIVER_EFFECTS``) multiply the churn hazard and leave traces in the
behavioural tables one to three months before the churn they cause.

The concerns live in their own modules and are combined here:

- ``state.py``: indices, the state arrays and the columnar outputs;
- ``accounts.py``: accounts and contracts (line items, plans, prices, renewals, expansion and
  contraction, reactivation);
- ``churn.py``: drivers and churn (planted drivers, churn intent and execution, surveys,
  ground truth);
- ``behaviour.py``: users, CRM signals, integrations, tickets, NPS, feedback, community and the
  usage snapshot;
- ``cs_activity.py``: customer-success risk episodes, the holdout, CS activity and the planted
  save effect (its own stream: it adds no draw to the others).

The parameters are named in ``constants.py``. The output is a bundle of columnar chunks plus
per-month history arrays from which ``tables.py`` builds the raw tables and streams the usage
events. Same arguments give the same draws in the same order, hence byte-identical books.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import constants as C
from . import scenarios
from .accounts import AccountsMixin
from .behaviour import BehaviourMixin
from .churn import ChurnMixin
from .cs_activity import CsActivityMixin
from .state import CHURNED, PAYING
from .util import make_calendar, rng_for, sigmoid


class Simulation(AccountsMixin, ChurnMixin, BehaviourMixin, CsActivityMixin):
    """Holds the state of all accounts and steps it month by month."""

    def __init__(
        self, accounts: int, months: int, seed: int, end_date: dt.date, scenario: str | None = None
    ) -> None:
        if accounts < 1 or months < 1:
            raise ValueError("accounts and months must be >= 1")
        self.scenario = scenarios.get(scenario)  # None for healthy: no hook is called
        self.n = accounts
        self.seed = seed
        self.cal = make_calendar(end_date, months, C.PRE_WINDOW_MONTHS)
        self.rng = rng_for(seed, "simulation")  # commercial path
        self.rb = rng_for(seed, "behaviour")  # behavioural rows (does not move the path)
        self.rcs = rng_for(seed, "cs_activity")  # CS activity and saves
        self._make_accounts()
        self._init_state()
        self._init_outputs()
        self._init_cs()

    def run(self) -> Simulation:
        for t in range(self.cal.T):
            self._step(t)
        self._finish()
        return self

    def _step(self, t: int) -> None:
        """One month, in a fixed order (the order of the draws is part of the output)."""
        cal, a, rng, n = self.cal, self.a, self.rng, self.n
        win = t >= cal.pre
        b = cal.boundary(t, a["anchor"])
        bvalid = b <= cal.end_day
        eu_lo_start = self.eu_lo.copy()

        # latent health: mean-reverting walk with drift, from the month after creation
        eps = rng.standard_normal(n)
        upd = a["c"] < t
        step = C.HEALTH_MEAN_REVERSION * (a["mu"] - self.h) + a["drift"] + a["sigma"] * eps
        self.h = np.where(upd, self.h + step, self.h)
        self._cs_apply_saves(t)  # saves touched this month come before the churns

        new = np.flatnonzero(a["c"] == t)
        if len(new):
            self._start_accounts(new, t)

        st_idx = np.flatnonzero((a["p0"] == t) & a["paid_valid"])
        if len(st_idx):
            self.interval[st_idx] = a["ivl0"][st_idx]
            self._open_contract(st_idx, b[st_idx], t, first=True)

        ex = np.flatnonzero((self.status == PAYING) & (self.intent_exec == t) & bvalid)
        if len(ex):
            self._execute_churn(ex, b[ex], t)

        act = (self.status == PAYING) & bvalid & (self.core_start_m < t) & (self.core_start_m >= 0)
        self._changes(np.flatnonzero(act), b, t)

        re = np.flatnonzero((self.status == CHURNED) & (self.react_m == t) & bvalid)
        if len(re):
            self._reactivate(re, b[re], t)

        rc = np.flatnonzero((self.status == PAYING) & (self.new_champ_m == t))
        if len(rc):  # champion replacement
            self._ensure_specials(rc, self._rand_sec(rng, rc, t))
            self.new_champ_m[rc] = -1

        s = sigmoid(self.h)
        if win:
            self._drivers(t, b, bvalid, s)
            self._churn_intent(t, s)
        self._expansion_intent(t, s, win)
        self._integrations(t, s, win)
        if win:
            self._behaviour(t, s)
            self._snapshot(t, s, eu_lo_start)
        self._cs_month(t, win)

    def _finish(self) -> None:
        """End of history: emit open lines and integrations, then the ground truth."""
        self._close_open_lines()
        ai, ki = np.nonzero(self.conn >= 0)
        self.integ.add(acct=ai, k=ki, conn=self.conn[ai, ki], disc=np.full(len(ai), -1))
        self.lines_all = self.lines.concat()
        self._ground_truth_at_end(self.lines_all)


def simulate(
    accounts: int, months: int, seed: int, end_date: dt.date, scenario: str | None = None
) -> Simulation:
    return Simulation(accounts, months, seed, end_date, scenario).run()
