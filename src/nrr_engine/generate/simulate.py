"""Monthly, vectorised simulation of a B2B SaaS book.

One loop over months (never over accounts): every step updates numpy state arrays of all
accounts at once. A latent health per account (mean-reverting random walk whose level depends
on ICP tier and segment) drives both the commercial path (renewals, expansion, contraction,
churn, win-back) and the behaviour (users, support, NPS, CRM signals, community, integrations).
Planted churn drivers (``DRIVER_EFFECTS``) multiply the churn hazard and leave traces in the
behavioural tables one to three months before the churn they cause.

The output is a bundle of columnar chunks plus per-month history arrays from which
``tables.py`` builds the raw tables and streams the usage events.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from . import constants as C
from .util import (
    OPEN_SEC,
    SECONDS_PER_DAY,
    Buffer,
    Calendar,
    Chunks,
    make_calendar,
    pick,
    pick_rows,
    rng_for,
    sigmoid,
)

NEVER = -(10**6)  # "month of onset" sentinel far in the past

# user roles (index into C.USER_ROLES)
CHAMPION, SPONSOR, ADMIN, END_USER = 0, 1, 2, 3
# line slots: one open line per (account, slot) at a time
CORE, ANALYTICS, AUTOMATION, USAGE = 0, 1, 2, 3
PRODUCT_OF_SLOT = [0, 1, 2, 3]
ONBOARDING_PRODUCT = 4
RECURRING, ONE_TIME, USAGE_LINE = 0, 1, 2
REASON = {r: i for i, r in enumerate(C.CHURN_REASONS)}
PLAN = C.PLAN_INDEX
PLAN_USD = np.zeros(len(C.PLANS))
for _name, _usd in C.PLAN_PRICE_USD.items():
    PLAN_USD[PLAN[_name]] = _usd
SEG_PLANS = np.array([[PLAN[p] for p in row] for row in C.SEGMENT_PLANS])
CRM = {e: i for i, e in enumerate(C.CRM_EVENT_TYPES)}
FX = np.array([1.0, C.FX_RATES["EUR"], C.FX_RATES["GBP"]])


class Simulation:
    """Holds the state of all accounts and steps it month by month."""

    def __init__(self, accounts: int, months: int, seed: int, end_date: dt.date) -> None:
        if accounts < 1 or months < 1:
            raise ValueError("accounts and months must be >= 1")
        self.n = accounts
        self.seed = seed
        self.cal: Calendar = make_calendar(end_date, months, C.PRE_WINDOW_MONTHS)
        self.rng = rng_for(seed, "simulation")  # commercial path
        self.rb = rng_for(seed, "behaviour")  # behavioural rows (does not move the path)
        self._make_accounts()
        self._init_state()
        self._init_outputs()

    # ------------------------------------------------------------------ accounts
    def _make_accounts(self) -> None:
        n, cal, rng = self.n, self.cal, self.rng
        P, M = cal.pre, cal.months
        seg = pick(rng, n, C.SEGMENT_MIX)
        pre = rng.random(n) < C.PRE_WINDOW_SHARE
        growth = 1.0 + 0.6 * np.arange(M) / max(M - 1, 1)
        c = np.where(pre, rng.integers(0, P, n), P + pick(rng, n, growth))
        avail = np.minimum(cal.month_days[c], cal.end_day - cal.month_start[c] + 1)
        cday = cal.month_start[c] + (rng.random(n) * avail).astype(np.int64)
        csec = cday * SECONDS_PER_DAY + rng.integers(7 * 3600, 20 * 3600, n)
        csec = np.minimum(csec, cal.end_sec - 1)
        recent = c >= P + (2 * M) // 3
        mix = np.array(C.ICP_MIX)[seg]
        mix[recent & (seg == 0)] = C.ICP_MIX_RECENT_SMB
        icp = pick_rows(rng, mix) + 1
        region = pick(rng, n, C.REGION_MIX)
        cur = np.zeros(n, dtype=np.int64)
        emea = region == 1
        cur[emea] = pick(rng, int(emea.sum()), C.EMEA_CURRENCY_MIX)
        industry = rng.integers(0, len(C.INDUSTRIES), n)
        channel = pick_rows(rng, np.array(C.CHANNEL_MIX)[seg])
        use_case = rng.integers(0, len(C.USE_CASES), n)
        emp_med = np.array([40.0, 600.0, 8000.0])[seg]
        emp = np.round(emp_med * rng.lognormal(0.0, 0.7, n)).astype(np.int64)
        emp = np.clip(emp, np.array([2, 150, 1500])[seg], np.array([250, 3000, 250000])[seg])
        csm = rng.integers(0, len(C.CSM_NAMES), n)
        csm[(seg == 0) & (rng.random(n) >= 0.12)] = -1
        trial = rng.random(n) < np.array(C.TRIAL_SHARE)[seg]
        trial_days = rng.integers(14, 31, n)
        kind = rng.random(n)
        next_first = cal.month_start[c + 1]
        paid = np.where(
            trial,
            cday + trial_days,
            np.where(
                kind < 0.15,
                next_first,
                np.where(kind < 0.20, next_first - 1, cday + rng.integers(0, 11, n)),
            ),
        )
        p0 = cal.month_of_day(paid)
        last = paid == cal.month_start[p0] + cal.month_days[p0] - 1
        anchor = np.where(last, 31, paid - cal.month_start[p0] + 1)
        ivl0 = np.array([1, 12, 36])[pick_rows(rng, np.array(C.INTERVAL_MIX)[seg])]
        disc = np.array(C.DISCOUNT_LEVELS)[pick_rows(rng, np.array(C.DISCOUNT_MIX)[seg])]
        plan0 = SEG_PLANS[seg, (rng.random(n) < 0.2).astype(np.int64)]
        n_admin = np.where(
            seg == 0, 1, np.where(seg == 1, rng.integers(1, 3, n), rng.integers(2, 4, n))
        )
        sponsor = (seg > 0) | (rng.random(n) < 0.4)
        n_special = 1 + sponsor.astype(np.int64) + n_admin
        seats0 = np.round(
            np.array(C.SEATS_MEDIAN)[seg] * rng.lognormal(0, 1, n) ** np.array(C.SEATS_SIGMA)[seg]
        )
        seats0 = np.maximum(seats0.astype(np.int64), n_special + 1)
        act_fail = (~pre) & (rng.random(n) < np.array([0.06, 0.10, 0.18])[icp - 1])
        icp_drift = recent & (seg == 0) & (icp == 3)
        mu = np.array([0.9, 0.5, 0.0])[icp - 1] + np.array([0.0, 0.1, 0.2])[seg]
        self.mu_ref = np.array([0.45, 0.60, 0.75])[seg]
        h0 = (
            mu
            + rng.normal(0.0, 0.6, n)
            + C.DRIVER_EFFECTS["activation_failure"]["health_shock"] * act_fail
        )
        self.a = dict(
            seg=seg,
            pre=pre,
            c=c,
            cday=cday,
            csec=csec,
            icp=icp,
            region=region,
            cur=cur,
            industry=industry,
            channel=channel,
            use_case=use_case,
            emp=emp,
            csm=csm,
            trial=trial,
            paid_day=paid,
            p0=p0,
            paid_valid=paid <= cal.end_day,
            anchor=anchor,
            ivl0=ivl0,
            disc=disc,
            plan0=plan0,
            n_admin=n_admin,
            sponsor=sponsor,
            n_special=n_special,
            seats0=seats0,
            act_fail=act_fail,
            icp_drift=icp_drift,
            mu=mu,
            drift=np.array([0.004, 0.0, -0.008])[icp - 1],
            sigma=np.array([0.25, 0.2, 0.18])[seg],
            h0=h0,
            community=rng.random(n)
            < np.array([0.15, 0.30, 0.45])[seg] * np.where(icp == 1, 1.3, 1.0),
            comp=rng.integers(0, len(C.COMPETITORS), n),
            usage_line=rng.random(n) < np.array(C.USAGE_LINE_SHARE)[seg],
            usage_qty=np.round(np.array([50.0, 200.0, 1000.0])[seg] * rng.lognormal(0, 0.5, n), 1),
            onboarding=rng.random(n) < np.array(C.ONBOARDING_SHARE)[seg],
            addon0=rng.random(n) < np.array([0.05, 0.2, 0.25])[seg],
            nps_phase=rng.integers(0, 3, n),
            name=rng.integers(0, 10**9, n),
        )

    # ------------------------------------------------------------------ state
    def _init_state(self) -> None:
        n, a = self.n, self.a
        z = np.zeros
        self.status = z(n, np.int8)  # 0 not yet paying, 1 paying, 2 churned
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

    def _emit_line(self, idx, product, plan, ltype, ivl, start, end, start_m, end_m, qty, price):
        k = len(idx)
        if k == 0:
            return
        full = np.full
        self.lines.add(
            acct=idx,
            product=full(k, product) if np.ndim(product) == 0 else product,
            plan=full(k, plan) if np.ndim(plan) == 0 else plan,
            ltype=full(k, ltype),
            ivl=full(k, ivl) if np.ndim(ivl) == 0 else ivl,
            start=start,
            end=end,
            start_m=full(k, start_m) if np.ndim(start_m) == 0 else start_m,
            end_m=full(k, end_m) if np.ndim(end_m) == 0 else end_m,
            qty=np.asarray(qty, dtype=float) * np.ones(k),
            price=np.asarray(price, dtype=float) * np.ones(k),
            disc=self.a["disc"][idx] if ltype == RECURRING else np.zeros(k),
        )

    def _close(self, slot: int, idx: np.ndarray, day: np.ndarray, t: int) -> None:
        m = self.s_open[slot, idx]
        idx, day = idx[m], day[m]
        if len(idx) == 0:
            return
        self.lines.add(
            acct=idx,
            product=np.full(len(idx), PRODUCT_OF_SLOT[slot]),
            plan=self.s_plan[slot, idx],
            ltype=np.full(len(idx), USAGE_LINE if slot == USAGE else RECURRING),
            ivl=self.s_ivl[slot, idx],
            start=self.s_start[slot, idx],
            end=day,
            start_m=self.s_start_m[slot, idx],
            end_m=np.full(len(idx), t),
            qty=self.s_qty[slot, idx],
            price=self.s_price[slot, idx],
            disc=self.s_disc[slot, idx],
        )
        self.s_open[slot, idx] = False

    def _open(self, slot, idx, day, t, qty, price, ivl, plan, end_m, disc=None) -> None:
        self.s_open[slot, idx] = True
        self.s_start[slot, idx] = day
        self.s_start_m[slot, idx] = t
        self.s_qty[slot, idx] = qty
        self.s_price[slot, idx] = price
        self.s_ivl[slot, idx] = ivl
        self.s_plan[slot, idx] = plan
        self.s_end_m[slot, idx] = end_m
        self.s_disc[slot, idx] = self.a["disc"][idx] if disc is None else disc

    def _core_price(self, idx, plan, ivl) -> np.ndarray:
        return self._local(PLAN_USD[plan], idx) * ivl

    def _open_addon(self, slot, idx, day, t) -> None:
        ivl = np.where(self.interval[idx] > 1, 12, 1)
        end_m = np.where(ivl > 1, self.term_end[idx], -1)
        seg = self.a["seg"][idx]
        if slot == ANALYTICS:
            qty = self.seats[idx].astype(float)
            usd = np.full(len(idx), C.ANALYTICS_PRICE_USD)
            plan = PLAN["analytics"]
        else:
            qty = np.ones(len(idx))
            usd = np.array(C.AUTOMATION_PRICE_USD)[seg]
            plan = PLAN["automation"]
        self._open(slot, idx, day, t, qty, self._local(usd, idx) * ivl, ivl, plan, end_m)

    # users ------------------------------------------------------------------
    def _new_stint(self, idx, role, licensed, count, start) -> np.ndarray:
        k = len(idx)
        return self.stints.append(
            acct=idx,
            role=np.full(k, role, np.int8),
            licensed=np.full(k, licensed),
            count=np.asarray(count) * np.ones(k, np.int64),
            start=start,
            end=np.full(k, -1),
        )

    def _end_stints(self, recs: np.ndarray, sec: np.ndarray) -> None:
        ok = recs >= 0
        recs, sec = recs[ok], sec[ok]
        start = self.stints.cols["start"][recs]
        self.stints.cols["end"][recs] = np.maximum(sec, start + 3600)

    def _ensure_specials(self, idx: np.ndarray, sec: np.ndarray) -> None:
        """Give accounts a champion, sponsor and admins where those seats are empty."""
        rng, a = self.rng, self.a
        cap = self.cal.end_sec - 1
        for role, recs, want in (
            (CHAMPION, self.champ_rec, np.ones(len(idx), bool)),
            (SPONSOR, self.sponsor_rec, a["sponsor"][idx]),
            (ADMIN, self.admin_rec, np.ones(len(idx), bool)),
        ):
            m = want & (recs[idx] < 0)
            sel = idx[m]
            if len(sel) == 0:
                continue
            st = np.minimum(sec[m] + rng.integers(0, 7200, len(sel)), cap)
            count = a["n_admin"][sel] if role == ADMIN else 1
            recs[sel] = self._new_stint(sel, role, True, count, st)

    def _set_end_users(self, idx: np.ndarray, target: np.ndarray, sec: np.ndarray) -> None:
        """Move the licensed end-user count to target (FIFO: the oldest leave first)."""
        cur = self.eu_hi[idx] - self.eu_lo[idx]
        delta = target - cur
        cap = self.cal.end_sec - 1
        up = delta > 0
        if up.any():
            i = idx[up]
            r0 = self.eu_hi[i]
            self.eu_create.add(acct=i, r0=r0, r1=r0 + delta[up], sec=np.minimum(sec[up], cap))
            self.eu_hi[i] += delta[up]
        down = delta < 0
        if down.any():
            i = idx[down]
            r0 = self.eu_lo[i]
            self.eu_deact.add(acct=i, r0=r0, r1=r0 - delta[down], sec=np.minimum(sec[down], cap))
            self.eu_lo[i] -= delta[down]

    def _eu_target(self, idx: np.ndarray, seats: np.ndarray) -> np.ndarray:
        return np.maximum(seats - self.a["n_special"][idx], 0)

    def _pick_users(self, idx: np.ndarray, probs) -> tuple[np.ndarray, ...]:
        """Pick an active user per row: returns (ok, stint record, index in stint, eu rank)."""
        rb = self.rb
        k = len(idx)
        role = pick(rb, k, probs)
        avail = np.stack(
            [
                self.champ_rec[idx] >= 0,
                self.sponsor_rec[idx] >= 0,
                self.admin_rec[idx] >= 0,
                self.eu_hi[idx] > self.eu_lo[idx],
            ],
            axis=1,
        )
        ok = avail[np.arange(k), role]
        for r in (ADMIN, CHAMPION, END_USER, SPONSOR):
            role = np.where(~ok & avail[:, r], r, role)
            ok = ok | avail[:, r]
        rec = np.select(
            [role == CHAMPION, role == SPONSOR, role == ADMIN],
            [self.champ_rec[idx], self.sponsor_rec[idx], self.admin_rec[idx]],
            -1,
        )
        j = np.where(role == ADMIN, (rb.random(k) * self.a["n_admin"][idx]).astype(np.int64), 0)
        span = self.eu_hi[idx] - self.eu_lo[idx]
        rank = np.where(
            role == END_USER, self.eu_lo[idx] + (rb.random(k) * span).astype(np.int64), -1
        )
        return ok, rec, j, rank

    # ------------------------------------------------------------------ contract events
    def _open_contract(self, idx: np.ndarray, day: np.ndarray, t: int, first: bool) -> None:
        a = self.a
        ivl = self.interval[idx]
        self.status[idx] = 1
        self.term_end[idx] = np.where(ivl > 1, t + ivl, -1)
        self.n_ren[idx] = 0
        self.core_start_m[idx] = t
        self.lead_ann[idx] = pick(self.rng, len(idx), [0.4, 0.35, 0.25]) + 1
        plan = self.plan[idx]
        self._open(
            CORE,
            idx,
            day,
            t,
            self.seats[idx].astype(float),
            self._core_price(idx, plan, ivl),
            ivl,
            plan,
            np.where(ivl > 1, t + ivl, -1),
        )
        ul = idx[a["usage_line"][idx]]
        price = self._local(np.full(len(ul), C.API_PRICE_PER_1K_USD), ul, 3)
        self._open(
            USAGE,
            ul,
            day[a["usage_line"][idx]],
            t,
            a["usage_qty"][ul],
            price,
            1,
            PLAN["metered"],
            -1,
            disc=0.0,
        )
        if first:
            self.first_paid_m[idx] = t
            ad = a["addon0"][idx]
            self._open_addon(ANALYTICS, idx[ad], day[ad], t)
            ob = a["onboarding"][idx]
            oi = idx[ob]
            seg = a["seg"][oi]
            usd = np.array(C.ONBOARDING_PRICE_USD)[seg]
            plan_ob = np.where(seg == 2, PLAN["premium_onboarding"], PLAN["standard_onboarding"])
            self._emit_line(
                oi,
                ONBOARDING_PRODUCT,
                plan_ob,
                ONE_TIME,
                1,
                day[ob],
                self.cal.boundary(t + 1, a["anchor"][oi]),
                t,
                t + 1,
                1.0,
                self._local(usd, oi),
            )

    # ------------------------------------------------------------------ main loop
    def run(self) -> Simulation:
        for t in range(self.cal.T):
            self._step(t)
        self._finish()
        return self

    def _step(self, t: int) -> None:
        cal, a, rng, n = self.cal, self.a, self.rng, self.n
        P = cal.pre
        win = t >= P
        b = cal.boundary(t, a["anchor"])
        bvalid = b <= cal.end_day
        cap = cal.end_sec - 1
        eu_lo_start = self.eu_lo.copy()

        # --- latent health
        eps = rng.standard_normal(n)
        upd = a["c"] < t
        step = 0.08 * (a["mu"] - self.h) + a["drift"] + a["sigma"] * eps
        self.h = np.where(upd, self.h + step, self.h)

        # --- new accounts: users and trial line
        new = np.flatnonzero(a["c"] == t)
        if len(new):
            csec = a["csec"][new]
            self._ensure_specials(new, csec)
            self._set_end_users(
                new,
                self._eu_target(new, self.seats[new]),
                csec + rng.integers(0, 3 * 86400, len(new)),
            )
            n_unl = rng.poisson(np.array([0.3, 1.0, 3.0])[a["seg"][new]])
            m = n_unl > 0
            st = np.minimum(csec[m] + rng.integers(0, 20 * 86400, int(m.sum())), cap)
            self._new_stint(new[m], END_USER, False, n_unl[m], st)
            tr = new[a["trial"][new]]
            tr_end = a["paid_day"][tr]
            self._emit_line(
                tr,
                0,
                PLAN["trial"],
                RECURRING,
                1,
                a["cday"][tr],
                tr_end,
                t,
                a["p0"][tr],
                self.seats[tr],
                0.0,
            )

        # --- paid start
        st_idx = np.flatnonzero((a["p0"] == t) & a["paid_valid"])
        if len(st_idx):
            self.interval[st_idx] = a["ivl0"][st_idx]
            self._open_contract(st_idx, b[st_idx], t, first=True)

        # --- churn executions
        ex = np.flatnonzero((self.status == 1) & (self.intent_exec == t) & bvalid)
        if len(ex):
            self._execute_churn(ex, b[ex], t)

        # --- renewals, expansions, contractions
        act = (self.status == 1) & bvalid & (self.core_start_m < t) & (self.core_start_m >= 0)
        self._changes(np.flatnonzero(act), b, t)

        # --- win-back
        re = np.flatnonzero((self.status == 2) & (self.react_m == t) & bvalid)
        if len(re):
            self._reactivate(re, b[re], t)

        # --- champion replacement
        rc = np.flatnonzero((self.status == 1) & (self.new_champ_m == t))
        if len(rc):
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

    # ------------------------------------------------------------------ pieces of a step
    def _execute_churn(self, ex: np.ndarray, day: np.ndarray, t: int) -> None:
        a, rng, cal = self.a, self.rng, self.cal
        cap = cal.end_sec - 1
        for slot in (CORE, ANALYTICS, AUTOMATION, USAGE):
            self._close(slot, ex, day, t)
        self.status[ex] = 2
        reason = self.intent_reason[ex]
        self.last_churn_day[ex] = day
        self.last_reason[ex] = reason
        first = self.first_churn_day[ex] < 0
        self.first_churn_day[ex[first]] = day[first]
        self.first_reason[ex[first]] = reason[first]
        self.intent_exec[ex] = -1
        self.exp_exec[ex] = -1
        self.con_exec[ex] = -1
        free = (
            (a["seg"][ex] == 0)
            & (self.interval[ex] == 1)
            & (rng.random(len(ex)) < C.FREE_DOWNGRADE_SHARE)
        )
        fi = ex[free]
        self._open(CORE, fi, day[free], t, self.seats[fi].astype(float), 0.0, 1, PLAN["free"], -1)
        self.free[fi] = True
        gone = ex[~free]
        self.acc_end[gone] = day[~free] * SECONDS_PER_DAY
        off = np.minimum(day * SECONDS_PER_DAY + rng.integers(0, 3 * 86400, len(ex)), cap)
        # users: everyone leaves, except champion and admins of accounts kept on the free plan
        stint_acct = self.stints["acct"]
        churned = np.zeros(self.n, bool)
        churned[ex] = True
        keep = np.zeros(self.n, bool)
        keep[fi] = True
        open_recs = np.flatnonzero(churned[stint_acct] & (self.stints["end"] < 0))
        roles = self.stints["role"][open_recs]
        open_recs = open_recs[
            ~(keep[stint_acct[open_recs]] & ((roles == CHAMPION) | (roles == ADMIN)))
        ]
        sec_of = np.zeros(self.n, np.int64)
        sec_of[ex] = off
        self._end_stints(open_recs, sec_of[stint_acct[open_recs]])
        self.champ_rec[gone] = -1
        self.sponsor_rec[ex] = -1
        self.admin_rec[gone] = -1
        self._set_end_users(ex, np.zeros(len(ex), np.int64), off)
        # integrations disconnected (not on the free plan)
        g_off = np.minimum(
            day[~free] * SECONDS_PER_DAY + rng.integers(0, 10 * 86400, len(gone)), cap
        )
        self._disconnect_all(gone, g_off)
        # churn survey
        self._survey(ex, reason, day, t)
        # win-back decision (once per account)
        can = self.n_react[ex] == 0
        p_wb = np.array([C.WINBACK_PROBABILITY[r] for r in C.CHURN_REASONS])[reason]
        wb = can & (rng.random(len(ex)) < p_wb)
        self.react_m[ex[wb]] = t + rng.integers(2, 13, int(wb.sum()))

    def _disconnect_all(self, idx: np.ndarray, sec: np.ndarray) -> None:
        conn = self.conn[idx]
        ai, ki = np.nonzero(conn >= 0)
        if len(ai):
            c0 = conn[ai, ki]
            d = np.maximum(sec[ai], c0 + 3600)
            ok = d < self.cal.end_sec
            self.integ.add(acct=idx[ai[ok]], k=ki[ok], conn=c0[ok], disc=d[ok])
            sub = conn.copy()  # a disconnection after end-date would stay connected
            sub[ai[ok], ki[ok]] = -1
            self.conn[idx] = sub

    def _survey(self, ex: np.ndarray, reason: np.ndarray, day: np.ndarray, t: int) -> None:
        rb, cal = self.rb, self.cal
        invol = reason == REASON["involuntary_payment"]
        resp = rb.random(len(ex)) < np.where(invol, 0.15, 0.6)
        ex, reason, day, invol = ex[resp], reason[resp], day[resp], invol[resp]
        k = len(ex)
        if k == 0:
            return
        stated = reason.copy()
        noise = rb.random(k) < 0.15
        stated[noise] = rb.integers(0, len(C.SURVEY_REASONS), int(noise.sum()))
        stated[invol] = np.where(
            rb.random(int(invol.sum())) < 0.7, REASON["budget"], REASON["other"]
        )
        comp = np.where(stated == REASON["competitor"], self.a["comp"][ex], -1)
        lo = (
            np.maximum(cal.month_start[np.maximum(self.intent_m[ex], 0)], day - 20)
            * SECONDS_PER_DAY
        )
        sec = day * SECONDS_PER_DAY + rb.integers(-20 * 86400, 10 * 86400, k)
        sec = np.clip(sec, lo, cal.end_sec - 1)
        comment = np.where(rb.random(k) < 0.7, rb.integers(0, 2, k), -1)
        self.surveys.add(acct=ex, sec=sec, reason=stated, comp=comp, comment=comment)

    def _changes(self, idx: np.ndarray, b: np.ndarray, t: int) -> None:
        if len(idx) == 0:
            return
        a, rng = self.a, self.rng
        day = b[idx]
        k = len(idx)
        seg = a["seg"][idx]
        s = sigmoid(self.h[idx])
        ren = self.term_end[idx] == t
        expn = (self.exp_exec[idx] == t) & (self.intent_exec[idx] < 0)
        con = (self.con_exec[idx] == t) & (self.intent_exec[idx] < 0)
        seats = self.seats[idx]
        floor = a["n_special"][idx] + 1
        new_seats = seats.copy()
        new_plan = self.plan[idx].copy()
        add = np.zeros((3, k), bool)
        drop = np.zeros((3, k), bool)
        kind = self.exp_kind[idx]
        m = expn & (kind == 0)
        new_seats[m] = np.maximum(seats[m] + 1, np.round(seats[m] * rng.uniform(1.1, 1.5, k)[m]))
        m = expn & (kind == 1)
        first_free = np.where(~self.s_open[ANALYTICS, idx], ANALYTICS, AUTOMATION)
        add[ANALYTICS] = m & (first_free == ANALYTICS)
        add[AUTOMATION] = m & (first_free == AUTOMATION) & ~self.s_open[AUTOMATION, idx]
        m = expn & (kind == 2)
        new_plan[m] = SEG_PLANS[seg[m], 1]
        ck = self.con_kind[idx]
        m = con & (ck == 0)
        new_seats[m] = np.maximum(floor[m], np.round(seats[m] * rng.uniform(0.6, 0.9, k)[m]))
        m = con & (ck == 1)
        drop[AUTOMATION] = m & self.s_open[AUTOMATION, idx]
        drop[ANALYTICS] = m & ~drop[AUTOMATION] & self.s_open[ANALYTICS, idx]
        u = rng.random(k)
        up = ren & (s > 0.62) & (u < 0.35)
        dn = ren & (s < 0.45) & (u >= 0.5) & (u < 0.95)
        new_seats[up] = np.round(new_seats[up] * rng.uniform(1.05, 1.35, k)[up])
        new_seats[dn] = np.maximum(
            floor[dn], np.round(new_seats[dn] * rng.uniform(0.65, 0.95, k)[dn])
        )
        ren_drop = ren & (s < 0.4) & (rng.random(k) < 0.4)
        drop[AUTOMATION] |= ren_drop & self.s_open[AUTOMATION, idx]
        drop[ANALYTICS] |= ren_drop & ~self.s_open[AUTOMATION, idx] & self.s_open[ANALYTICS, idx]
        new_seats = new_seats.astype(np.int64)
        core_change = ren | (new_seats != seats) | (new_plan != self.plan[idx])
        ci = idx[core_change]
        if len(ci):
            cday = day[core_change]
            self._close(CORE, ci, cday, t)
            r = ren[core_change]
            ivl = self.interval[ci]
            ivl = np.where(r & (ivl == 36), 12, ivl)
            self.interval[ci] = ivl
            ri = ci[r]
            self.term_end[ri] = t + ivl[r]
            self.n_ren[ri] += 1
            self.core_start_m[ri] = t
            self.lead_ann[ri] = pick(rng, len(ri), [0.4, 0.35, 0.25]) + 1
            self.seats[ci] = new_seats[core_change]
            self.plan[ci] = new_plan[core_change]
            end_m = np.where(ivl > 1, self.term_end[ci], -1)
            price = self._core_price(ci, self.plan[ci], ivl)
            self._open(
                CORE, ci, cday, t, self.seats[ci].astype(float), price, ivl, self.plan[ci], end_m
            )
            sec = cday * SECONDS_PER_DAY + rng.integers(0, 2 * 86400, len(ci))
            self._set_end_users(ci, self._eu_target(ci, self.seats[ci]), sec)
        for slot in (ANALYTICS, AUTOMATION):
            was = self.s_open[slot, idx]
            close = drop[slot] | (ren & was)
            self._close(slot, idx[close], day[close], t)
            reopen = add[slot] | (ren & was & ~drop[slot])
            self._open_addon(slot, idx[reopen], day[reopen], t)
        self.exp_exec[idx[expn]] = -1
        self.con_exec[idx[con]] = -1

    def _reactivate(self, re: np.ndarray, day: np.ndarray, t: int) -> None:
        a, rng = self.a, self.rng
        self._close(CORE, re, day, t)  # the free plan, if any
        self.free[re] = False
        seg = a["seg"][re]
        self.interval[re] = np.array([1, 12, 36])[pick_rows(rng, np.array(C.INTERVAL_MIX)[seg])]
        floor = a["n_special"][re] + 1
        self.seats[re] = np.maximum(
            floor, np.round(self.seats[re] * rng.uniform(0.5, 1.0, len(re)))
        )
        self.plan[re] = SEG_PLANS[seg, 0]
        self._open_contract(re, day, t, first=False)
        self.n_react[re] += 1
        self.react_m[re] = -1
        firstr = self.react_day[re] < 0
        self.react_day[re[firstr]] = day[firstr]
        self.acc_start[re] = day * SECONDS_PER_DAY
        self.acc_end[re] = OPEN_SEC
        self.h[re] = np.maximum(self.h[re], a["mu"][re] - 0.2)  # a fresh start
        sec = day * SECONDS_PER_DAY - rng.integers(0, 2 * 86400, len(re))
        self._ensure_specials(re, sec)
        self._set_end_users(re, self._eu_target(re, self.seats[re]), sec)

    def _multipliers(self, idx: np.ndarray, t: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        a = self.a
        E = C.DRIVER_EFFECTS
        is_term = self.interval[idx] > 1

        def on(driver: str, onset: np.ndarray) -> np.ndarray:
            e = E[driver]
            w = np.where(
                is_term,
                e.get("term_contract_window_months", e["window_months"]),
                e["window_months"],
            )
            since = t - onset[idx]
            return (since >= 1) & (since <= w)  # from the month after the onset

        active = {
            "champion_departure": on("champion_departure", self.champ_m),
            "usage_decline": on("usage_decline", self.ud_m),
            "payment_failure_unresolved": on("payment_failure_unresolved", self.pay_m),
            "competitor_evaluation": on("competitor_evaluation", self.comp_m),
            "icp_drift": a["icp_drift"][idx],
            "activation_failure": a["act_fail"][idx]
            & np.where(
                is_term,
                self.n_ren[idx] == 0,
                (t - self.first_paid_m[idx]) < E["activation_failure"]["window_months"],
            ),
        }
        mult = np.exp(-C.HEALTH_BETA * (self.h[idx] - self.mu_ref[idx]))
        for d, on in active.items():
            mult = mult * np.where(on, E[d]["hazard_multiplier"], 1.0)
        n_int = (self.conn[idx] >= 0).sum(axis=1)
        mult = mult * C.PROTECTIVE_EFFECTS["per_connected_integration"] ** n_int
        mult = mult * np.where(a["community"][idx], C.PROTECTIVE_EFFECTS["community_member"], 1.0)
        return mult, active

    def _drivers(self, t: int, b: np.ndarray, bvalid: np.ndarray, s: np.ndarray) -> None:
        a, rng, rb, cal = self.a, self.rng, self.rb, self.cal
        E = C.DRIVER_EFFECTS
        cap = cal.end_sec - 1
        cand = (self.status == 1) & (self.intent_exec < 0) & (t > self.first_paid_m)
        hf = np.exp(0.8 * (self.mu_ref - self.h))  # drivers strike weak accounts more often
        u = rng.random((5, self.n))
        # champion departure
        ch = np.flatnonzero(
            cand
            & (self.champ_rec >= 0)
            & (u[0] < E["champion_departure"]["onset_rate_monthly"] * hf)
        )
        if len(ch):
            dep = self._rand_sec(rng, ch, t)
            self._end_stints(self.champ_rec[ch], dep)
            self.champ_rec[ch] = -1
            ev = np.minimum(dep + rng.integers(0, 5 * 86400, len(ch)), cap)
            self.crm.add(
                acct=ch,
                sec=ev,
                etype=CRM["champion_left"],
                role=CHAMPION,
                details=CRM["champion_left"],
            )
            rep = rng.random(len(ch)) < 0.5
            self.new_champ_m[ch[rep]] = t + rng.integers(1, 4, int(rep.sum()))
            self.champ_m[ch] = t
            self.h[ch] += E["champion_departure"]["health_shock"]
            self._gt("champion_departure", ch, dep // SECONDS_PER_DAY)
        # usage decline (disengagement)
        ud = np.flatnonzero(
            cand & (u[1] < E["usage_decline"]["onset_rate_monthly"] * hf) & (t - self.ud_m > 6)
        )
        if len(ud):
            self.ud_m[ud] = t
            self.h[ud] += E["usage_decline"]["health_shock"]
            self._gt("usage_decline", ud, np.full(len(ud), cal.month_start[t]))
        # competitor evaluation
        cp = np.flatnonzero(
            cand
            & (u[2] < E["competitor_evaluation"]["onset_rate_monthly"] * hf)
            & (t - self.comp_m > 6)
        )
        if len(cp):
            self.comp_m[cp] = t
            self.h[cp] += E["competitor_evaluation"]["health_shock"]
            sec = self._rand_sec(rng, cp, t)
            self._gt("competitor_evaluation", cp, sec // SECONDS_PER_DAY)
            et = np.where(
                rng.random(len(cp)) < 0.5, CRM["competitor_mention"], CRM["competitor_page_visit"]
            )
            self.crm.add(
                acct=cp,
                sec=sec,
                etype=et,
                role=np.where(et == CRM["competitor_mention"], CHAMPION, -1),
                details=100 + a["comp"][cp],
            )
        follow = np.flatnonzero(
            (self.status == 1) & ((t - self.comp_m) >= 1) & ((t - self.comp_m) <= 2)
        )
        follow = follow[rb.random(len(follow)) < 0.6]
        if len(follow):
            et = np.where(
                rb.random(len(follow)) < 0.5,
                CRM["competitor_mention"],
                CRM["competitor_page_visit"],
            )
            self.crm.add(
                acct=follow,
                sec=self._rand_sec(rb, follow, t),
                etype=et,
                role=np.where(et == CRM["competitor_mention"], ADMIN, -1),
                details=100 + a["comp"][follow],
            )
        # payment failure (only in a month with an invoice)
        bill = cand & bvalid & ((self.interval == 1) | (self.core_start_m == t))
        rate = np.array(E["payment_failure_unresolved"]["onset_rate_monthly"])[a["seg"]]
        pf = np.flatnonzero(bill & (u[3] < rate * np.where(s < 0.4, 1.5, 1.0)))
        if len(pf):
            k = len(pf)
            unres = rng.random(k) < E["payment_failure_unresolved"]["unresolved_share"]
            never = rng.random(k) < 0.6
            res = np.where(
                unres, np.where(never, -1, rng.integers(8, 26, k)), rng.integers(1, 6, k)
            )
            self.pay_fail.add(acct=pf, t=np.full(k, t), res_days=res)
            ui = pf[unres]
            self.pay_m[ui] = t
            self.h[ui] += E["payment_failure_unresolved"]["health_shock"]
            self._gt("payment_failure_unresolved", ui, b[ui])
            early = ui[(self.interval[ui] > 1) & never[unres] & (rng.random(len(ui)) < 0.35)]
            if len(early):
                self.intent_exec[early] = np.minimum(
                    t + rng.integers(1, 3, len(early)), self.term_end[early]
                )
                self.intent_m[early] = t
                self.intent_reason[early] = REASON["involuntary_payment"]
                self.h[early] += C.NOTICE_HEALTH_SHOCK
        # new executive
        ne = np.flatnonzero((self.status == 1) & (u[4] < 0.008))
        if len(ne):
            sec = self._rand_sec(rb, ne, t)
            self.crm.add(
                acct=ne,
                sec=sec,
                etype=CRM["new_executive"],
                role=SPONSOR,
                details=CRM["new_executive"],
            )
            sw = ne[(self.sponsor_rec[ne] >= 0) & (rb.random(len(ne)) < 0.5)]
            if len(sw):
                sw_sec = self._rand_sec(rb, sw, t)
                self._end_stints(self.sponsor_rec[sw], sw_sec)
                self.sponsor_rec[sw] = self._new_stint(
                    sw, SPONSOR, True, 1, np.minimum(sw_sec + 86400, cap)
                )

    def _gt(self, driver: str, idx: np.ndarray, day: np.ndarray) -> None:
        g = self.gt[driver]
        first = g[idx] < 0
        g[idx[first]] = np.asarray(day)[first]

    def _churn_intent(self, t: int, s: np.ndarray) -> None:
        a, rng = self.a, self.rng
        E = C.DRIVER_EFFECTS
        cand = (self.status == 1) & (self.intent_exec < 0) & (t > self.first_paid_m)
        monthly = cand & (self.interval == 1)
        term = cand & (self.interval > 1) & (self.term_end - t == self.lead_ann)
        idx = np.flatnonzero(monthly | term)
        if len(idx) == 0:
            return
        seg = a["seg"][idx]
        mult, active = self._multipliers(idx, t)
        is_term = self.interval[idx] > 1
        first_ren = is_term & (self.n_ren[idx] == 0)
        base = np.where(
            is_term, np.array(C.BASE_RENEWAL_HAZARD)[seg], np.array(C.BASE_MONTHLY_HAZARD)[seg]
        )
        rate = (
            -np.log1p(-base)
            * mult
            * np.where(first_ren, E["renewal_cliff"]["hazard_multiplier"], 1.0)
        )
        churn = rng.random(len(idx)) < -np.expm1(-rate)
        ci = idx[churn]
        if len(ci) == 0:
            return
        k = len(ci)
        act = {d: v[churn] for d, v in active.items()}
        fr = first_ren[churn]
        tier3 = a["icp"][ci] == 3
        w = np.zeros((k, len(C.CHURN_REASONS)))
        g = np.where(fr, E["renewal_cliff"]["hazard_multiplier"], 1.0)
        w[:, REASON["missing_feature"]] = 0.3 * g
        w[:, REASON["budget"]] = 0.35 * g
        w[:, REASON["other"]] = 0.2 * g
        w[:, REASON["poor_fit"]] = np.where(tier3, 0.35, 0.15)

        def add(reason, driver, share=1.0):
            w[:, REASON[reason]] += act[driver] * (E[driver]["hazard_multiplier"] - 1.0) * share

        add("champion_left", "champion_departure")
        add("budget", "usage_decline", 0.5)
        add("missing_feature", "usage_decline", 0.5)
        add("involuntary_payment", "payment_failure_unresolved")
        add("competitor", "competitor_evaluation")
        add("poor_fit", "icp_drift")
        add("poor_onboarding", "activation_failure")
        reason = pick_rows(rng, w)
        lead = pick(rng, k, [0.45, 0.35, 0.2]) + 1
        lead = np.where(reason == REASON["involuntary_payment"], 1, lead)
        self.intent_exec[ci] = np.where(self.interval[ci] > 1, self.term_end[ci], t + lead)
        self.intent_m[ci] = t
        self.intent_reason[ci] = reason
        self.h[ci] += C.NOTICE_HEALTH_SHOCK
        self.exp_exec[ci] = -1
        self.con_exec[ci] = -1

    def _expansion_intent(self, t: int, s: np.ndarray, win: bool) -> None:
        a, rng, rb = self.a, self.rng, self.rb
        cand = (
            (self.status == 1)
            & (self.intent_exec < 0)
            & (self.exp_exec < 0)
            & (self.con_exec < 0)
            & (t > self.first_paid_m)
        )
        seg = a["seg"]
        dev = self.h - self.mu_ref
        pe = (
            0.02
            * np.array([1.0, 1.3, 1.5])[seg]
            * np.exp(0.9 * dev)
            * np.where(a["icp"] == 3, 0.5, 1.0)
        )
        u = rng.random((4, self.n))
        e = np.flatnonzero(cand & (u[0] < pe))
        if len(e):
            k = len(e)
            kind = pick(rng, k, [0.6, 0.3, 0.1])
            both = self.s_open[ANALYTICS, e] & self.s_open[AUTOMATION, e]
            top = self.plan[e] == SEG_PLANS[seg[e], 1]
            kind = np.where(((kind == 1) & both) | ((kind == 2) & top), 0, kind)
            self.exp_exec[e] = t + 1
            self.exp_kind[e] = kind
            if win:
                self._expansion_signals(e, t)
        pc = 0.012 * np.exp(-0.9 * dev)
        c = np.flatnonzero(cand & (self.interval == 1) & (u[1] < pc) & (self.exp_exec < 0))
        if len(c):
            has_addon = self.s_open[ANALYTICS, c] | self.s_open[AUTOMATION, c]
            self.con_exec[c] = t + 1
            self.con_kind[c] = np.where(has_addon & (rng.random(len(c)) < 0.3), 1, 0)
        if win:
            # background signals that do not lead to an expansion (noise for later models)
            live = self.status == 1
            bg = np.flatnonzero(live & (u[2] < 0.02 * s))
            if len(bg):
                types = np.array([CRM[x] for x, _ in C.EXPANSION_SIGNALS])
                et = types[pick(rb, len(bg), [w for _, w in C.EXPANSION_SIGNALS])]
                self._emit_signals(bg, et, t)
            ent_rate = np.array([0.0, 0.06, 0.22])[seg] * (0.5 + s)
            qb = np.flatnonzero(live & (u[3] < ent_rate))
            if len(qb):
                self.crm.add(
                    acct=qb,
                    sec=self._rand_sec(rb, qb, t),
                    etype=CRM["qbr_held"],
                    role=np.where(rb.random(len(qb)) < 0.5, SPONSOR, CHAMPION),
                    details=CRM["qbr_held"],
                )
            et_rate = np.array([0.005, 0.04, 0.12])[seg]
            xt = np.flatnonzero(live & (rb.random(self.n) < et_rate))
            if len(xt):
                self.crm.add(
                    acct=xt,
                    sec=self._rand_sec(rb, xt, t),
                    etype=CRM["executive_touch"],
                    role=SPONSOR,
                    details=np.where(rb.random(len(xt)) < 0.7, CRM["executive_touch"], -1),
                )

    def _expansion_signals(self, e: np.ndarray, t: int) -> None:
        rb = self.rb
        n_sig = 1 + rb.poisson(0.7, len(e))
        ai = np.repeat(e, n_sig)
        types = np.array([CRM[x] for x, _ in C.EXPANSION_SIGNALS])
        et = types[pick(rb, len(ai), [w for _, w in C.EXPANSION_SIGNALS])]
        self._emit_signals(ai, et, t)

    def _emit_signals(self, ai: np.ndarray, et: np.ndarray, t: int) -> None:
        rb = self.rb
        sec = self._rand_sec(rb, ai, t)
        role = np.where(
            et == CRM["pricing_page_visit"], -1, np.where(rb.random(len(ai)) < 0.6, CHAMPION, ADMIN)
        )
        details = np.where(rb.random(len(ai)) < 0.8, et, -1)
        self.crm.add(acct=ai, sec=sec, etype=et, role=role, details=details)
        inv = et == CRM["unlicensed_user_invited"]
        if inv.any():
            self._new_stint(ai[inv], END_USER, False, rb.integers(1, 4, int(inv.sum())), sec[inv])

    def _integrations(self, t: int, s: np.ndarray, win: bool) -> None:
        a, rb = self.a, self.rb
        live = (a["c"] <= t) & ((self.status <= 1) | self.free)
        n_int = (self.conn >= 0).sum(axis=1)
        cap_n = np.array([3, 6, 9])[a["seg"]]
        tenure = t - a["c"]
        p = 0.25 * s * (n_int < cap_n) * np.where(tenure < 6, 1.0, 0.3)
        u = rb.random(self.n)
        k = rb.integers(0, len(C.INTEGRATION_CATALOGUE), self.n)
        cn = np.flatnonzero(live & (u < p) & (self.conn[np.arange(self.n), k] < 0))
        if len(cn):
            self.conn[cn, k[cn]] = self._rand_sec(rb, cn, t)
        if win:
            pd = 0.004 + 0.02 * (1 - s)
            dc = np.flatnonzero((self.status == 1) & (n_int > 0) & (rb.random(self.n) < pd))
            if len(dc):
                score = np.where(self.conn[dc] >= 0, rb.random((len(dc), self.conn.shape[1])), -1.0)
                kk = score.argmax(axis=1)
                c0 = self.conn[dc, kk]
                d = np.maximum(self._rand_sec(rb, dc, t), c0 + 3600)
                ok = (c0 >= 0) & (d < self.cal.end_sec)
                self.integ.add(acct=dc[ok], k=kk[ok], conn=c0[ok], disc=d[ok])
                self.conn[dc[ok], kk[ok]] = -1

    def _behaviour(self, t: int, s: np.ndarray) -> None:
        a, rb = self.a, self.rb
        seg = a["seg"]
        access = (self.status == 1) | self.free
        intent = self.intent_exec >= 0
        pay_recent = (t - self.pay_m) < 3
        act_early = a["act_fail"] & ((t - a["c"]) < 4)
        comp_on = (t - self.comp_m) < 6
        # support tickets
        lam = (
            np.array([0.15, 0.4, 0.9])[seg]
            * (1 + 1.2 * (1 - s))
            * (1 + 1.5 * intent + 2.0 * pay_recent + 1.5 * act_early)
            * np.where(self.free, 0.3, 1.0)
            * access
        )
        nt = rb.poisson(lam)
        ai = np.repeat(np.arange(self.n), nt)
        if len(ai):
            k = len(ai)
            w = np.tile(np.array([0.08, 0.08, 0.2, 0.25, 0.12, 0.1, 0.12, 0.05]), (k, 1))
            w[:, 0] += 1.5 * pay_recent[ai]
            w[:, 1] += 1.5 * act_early[ai]
            w[:, 6] += 0.5 * comp_on[ai]
            topic = pick_rows(rb, w)
            sa = s[ai]
            p_fr = np.clip(
                0.05 + 0.9 * (1 - sa) ** 1.5 + 0.25 * intent[ai] + 0.2 * pay_recent[ai], 0, 0.95
            )
            tone = (rb.random(k) < p_fr).astype(np.int64)
            subj = (topic * 2 + tone) * 2 + rb.integers(0, 2, k)
            body = (
                ((tone * 5 + rb.integers(0, 5, k)) * 8 + topic) * 4 + rb.integers(0, 4, k)
            ) * 5 + rb.integers(0, 5, k)
            pr_w = np.where(tone[:, None] == 1, [0.1, 0.4, 0.35, 0.15], [0.3, 0.58, 0.1, 0.02])
            prio = pick_rows(rb, pr_w)
            prio = np.minimum(prio + (seg[ai] == 2) * (rb.random(k) < 0.2), 3)
            sec = self._rand_sec(rb, ai, t)
            hours = rb.lognormal(np.log(np.array([30.0, 18.0, 8.0, 3.0])[prio]), 0.8)
            resolved = sec + (hours * 3600).astype(np.int64)
            resolved = np.where(
                (resolved >= self.cal.end_sec) | (rb.random(k) < 0.03), -1, resolved
            )
            score = np.clip(np.round(1.5 + 3.5 * sa - 1.0 * tone + rb.normal(0, 0.7, k)), 1, 5)
            csat = np.where((resolved >= 0) & (rb.random(k) < 0.55), score, -1).astype(np.int64)
            ok, rec, j, rank = self._pick_users(ai, [0.4, 0.0, 0.4, 0.2])
            self.tickets.add(
                acct=ai[ok],
                sec=sec[ok],
                topic=topic[ok],
                tone=tone[ok],
                subj=subj[ok],
                body=body[ok],
                prio=prio[ok],
                resolved=resolved[ok],
                csat=csat[ok],
                urec=rec[ok],
                uj=j[ok],
                urank=rank[ok],
            )
        # NPS (quarterly-ish)
        due = (self.status == 1) & ((t + a["nps_phase"]) % 3 == 0)
        nr = rb.poisson(np.array([0.45, 0.9, 1.6])[seg] * due)
        ai = np.repeat(np.arange(self.n), nr)
        if len(ai):
            k = len(ai)
            recent_champ = (t - self.champ_m[ai]) < 4
            sadj = s[ai] - 0.15 * intent[ai] - 0.1 * recent_champ
            score = np.clip(np.round(2.0 + 9.0 * sadj + rb.normal(0, 1.5, k)), 0, 10).astype(
                np.int64
            )
            cat = np.where(score >= 9, 2, np.where(score >= 7, 1, 0))
            comment = np.where(rb.random(k) < 0.5, cat * 10 + rb.integers(0, 4, k), -1)
            ok, rec, j, rank = self._pick_users(ai, [0.3, 0.15, 0.2, 0.35])
            self.nps.add(
                acct=ai[ok],
                sec=self._rand_sec(rb, ai, t)[ok],
                score=score[ok],
                comment=comment[ok],
                urec=rec[ok],
                uj=j[ok],
                urank=rank[ok],
            )
        # feedback items (account-linked and anonymous)
        nf = rb.poisson(np.array([0.03, 0.06, 0.1])[seg] * access)
        ai = np.repeat(np.arange(self.n), nf)
        n_anon = rb.poisson(0.004 * access.sum())
        if len(ai) or n_anon:
            k = len(ai)
            src = pick(rb, k, [0.2, 0.2, 0.1, 0.25, 0.15, 0.05, 0.05])
            sa = s[ai]
            src_a = pick(rb, n_anon, [0.5, 0, 0, 0, 0, 0.4, 0.1])
            s_all = np.concatenate([sa, rb.beta(3, 2, n_anon)])
            src_all = np.concatenate([src, src_a])
            u = rb.random(k + n_anon)
            senti = np.where(u < (1 - s_all) ** 1.5, 0, np.where(u > 1 - s_all**2, 2, 1))
            body = senti * 10 + rb.integers(0, 4, k + n_anon)
            rating = np.where(
                src_all == 0, np.clip(senti * 2 + 1 + rb.integers(-1, 2, k + n_anon), 1, 5), -1
            )
            lo, hi = self.cal.month_sec(t)
            sec_anon = lo + (rb.random(n_anon) * (hi - lo)).astype(np.int64)
            self.feedback.add(
                acct=np.concatenate([ai, np.full(n_anon, -1)]),
                source=src_all,
                sec=np.concatenate([self._rand_sec(rb, ai, t), sec_anon]),
                body=body,
                rating=rating,
            )
        # community activity
        rate = np.where(a["community"], np.array([1.0, 1.5, 2.5])[seg], 0.03) * (0.3 + s)
        nc = rb.poisson(rate * access)
        ai = np.repeat(np.arange(self.n), nc)
        if len(ai):
            atype = pick(rb, len(ai), C.COMMUNITY_MIX)
            ok, rec, j, rank = self._pick_users(ai, [0.45, 0.0, 0.3, 0.25])
            self.community.add(
                acct=ai[ok],
                sec=self._rand_sec(rb, ai, t)[ok],
                atype=atype[ok],
                urec=rec[ok],
                uj=j[ok],
                urank=rank[ok],
            )

    def _usage_multiplier(self, t: int) -> np.ndarray:
        a = self.a
        um = np.ones(self.n)
        tenure = t - a["c"]
        af = a["act_fail"]
        um = np.where(af & (tenure <= 1), 0.05, np.where(af & (tenure < 8), 0.3, um))
        d = t - self.ud_m
        curve = np.array(C.DRIVER_EFFECTS["usage_decline"]["usage_multiplier_by_month"])
        ud = np.where(d < 6, curve[np.clip(d, 0, 2)], np.where(d < 12, 0.7, 1.0))
        um = um * ud
        intent = self.intent_m >= 0
        decay = C.NOTICE_USAGE_DECAY ** (t - self.intent_m + 1)
        um = np.where(intent & (self.intent_exec >= 0), um * decay, um)
        um = um * np.where((t - self.champ_m) < 3, 0.85, 1.0)
        um = np.where(self.status == 0, um * 0.8, um)
        um = np.where(self.free, um * 0.15, um)
        return um

    def _snapshot(self, t: int, s: np.ndarray, eu_lo_start: np.ndarray) -> None:
        w = t - self.cal.pre
        lo, hi = self.cal.month_sec(t)
        h = self.hist
        h["lo"][w] = np.maximum(lo, self.acc_start)
        h["hi"][w] = np.minimum(hi, self.acc_end)
        h["s"][w] = s
        h["umult"][w] = self._usage_multiplier(t)
        h["seats"][w] = self.seats
        h["eu_lo"][w] = eu_lo_start
        h["eu_hi"][w] = self.eu_hi
        h["champ"][w] = self.champ_rec
        h["sponsor"][w] = self.sponsor_rec
        h["admin"][w] = self.admin_rec
        # the intent of an account whose churn has executed no longer applies
        self.intent_m[(self.status != 1) & (self.intent_exec < 0)] = -1

    # ------------------------------------------------------------------ end of history
    def _finish(self) -> None:
        cal, a = self.cal, self.a
        T = cal.T
        for slot in (CORE, ANALYTICS, AUTOMATION, USAGE):
            idx = np.flatnonzero(self.s_open[slot])
            end_m = self.s_end_m[slot, idx]
            term = end_m >= 0
            end = np.full(len(idx), -1)
            for em in np.unique(end_m[term]):
                m = end_m == em
                end[m] = cal.boundary(int(em), a["anchor"][idx[m]])
            self.lines.add(
                acct=idx,
                product=np.full(len(idx), PRODUCT_OF_SLOT[slot]),
                plan=self.s_plan[slot, idx],
                ltype=np.full(len(idx), USAGE_LINE if slot == USAGE else RECURRING),
                ivl=self.s_ivl[slot, idx],
                start=self.s_start[slot, idx],
                end=end,
                start_m=self.s_start_m[slot, idx],
                end_m=np.where(term, end_m, -1),
                qty=self.s_qty[slot, idx],
                price=self.s_price[slot, idx],
                disc=self.s_disc[slot, idx],
            )
        ai, ki = np.nonzero(self.conn >= 0)
        self.integ.add(acct=ai, k=ki, conn=self.conn[ai, ki], disc=np.full(len(ai), -1))
        # renewal cliff exposure: the first renewal date of term contracts, inside the window
        lines = self.lines.concat()
        rec = (lines["ltype"] == RECURRING) & (lines["product"] == 0) & (lines["price"] > 0)
        first_term = rec & (lines["ivl"] > 1)
        order = np.lexsort((lines["start"], lines["acct"]))
        o = order[rec[order]]
        first_line = np.full(self.n, -1)
        acct_o = lines["acct"][o]
        is_first = np.r_[True, acct_o[1:] != acct_o[:-1]] if len(o) else np.zeros(0, bool)
        first_line[acct_o[is_first]] = o[is_first]
        has = first_line >= 0
        fl = first_line[has]
        ok = first_term[fl]
        acc = np.flatnonzero(has)[ok]
        start_m = lines["start_m"][fl[ok]]
        ren_m = start_m + lines["ivl"][fl[ok]]
        ren_day = cal.month_start[np.minimum(ren_m, len(cal.month_start) - 1)]
        ren_day = (
            ren_day
            + np.minimum(
                a["anchor"][acc], cal.month_days[np.minimum(ren_m, len(cal.month_days) - 1)]
            )
            - 1
        )
        inwin = (ren_m >= cal.pre) & (ren_m < T) & (ren_day <= cal.end_day)
        self.gt["renewal_cliff"][acc[inwin]] = ren_day[inwin]
        drift = np.flatnonzero(a["icp_drift"])
        self.gt["icp_drift"][drift] = a["cday"][drift]
        af = np.flatnonzero(a["act_fail"] & a["paid_valid"] & (self.first_paid_m >= 0))
        self.gt["activation_failure"][af] = a["paid_day"][af]
        self.lines_all = lines
        self.h_end = sigmoid(self.h)


def simulate(accounts: int, months: int, seed: int, end_date: dt.date) -> Simulation:
    return Simulation(accounts, months, seed, end_date).run()
