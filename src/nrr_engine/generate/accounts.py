"""Accounts and contracts: attributes at creation, line items, plans and prices, renewals,
expansion and contraction, reactivation.

Every draw here comes from the commercial stream ``self.rng``, in a fixed order: reordering
two draws changes every book.
"""

from __future__ import annotations

import numpy as np

from . import constants as C
from .state import (
    ANALYTICS,
    AUTOMATION,
    CORE,
    END_USER,
    ONBOARDING_PRODUCT,
    ONE_TIME,
    PAYING,
    PLAN,
    PLAN_USD,
    PRODUCT_OF_SLOT,
    RECURRING,
    SEG_PLANS,
    SLOTS,
    USAGE,
    USAGE_LINE,
    SimulationState,
)
from .util import OPEN_SEC, SECONDS_PER_DAY, SECONDS_PER_HOUR, pick, pick_rows, sigmoid

# kinds of expansion (columns of C.EXPANSION_KIND_MIX) and of contraction
MORE_SEATS, ADD_ADDON, UPGRADE_PLAN = 0, 1, 2
FEWER_SEATS, DROP_ADDON = 0, 1


class AccountsMixin(SimulationState):
    """Account attributes and the contract path (lines opened, changed and closed)."""

    # ------------------------------------------------------------------ accounts
    def _make_accounts(self) -> None:
        n, cal, rng = self.n, self.cal, self.rng
        P, M = cal.pre, cal.months
        seg = pick(rng, n, C.SEGMENT_MIX)
        pre = rng.random(n) < C.PRE_WINDOW_SHARE
        growth = 1.0 + C.ACCOUNT_GROWTH_OVER_WINDOW * np.arange(M) / max(M - 1, 1)
        c = np.where(pre, rng.integers(0, P, n), P + pick(rng, n, growth))
        avail = np.minimum(cal.month_days[c], cal.end_day - cal.month_start[c] + 1)
        cday = cal.month_start[c] + (rng.random(n) * avail).astype(np.int64)
        h_lo, h_hi = C.CREATED_HOUR_RANGE
        csec = cday * SECONDS_PER_DAY + rng.integers(
            h_lo * SECONDS_PER_HOUR, h_hi * SECONDS_PER_HOUR, n
        )
        csec = np.minimum(csec, cal.end_sec - 1)
        recent = c >= P + (2 * M) // 3  # the last third of the window (icp_drift)
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
        emp_med = np.array(C.EMPLOYEES_MEDIAN)[seg]
        emp = np.round(emp_med * rng.lognormal(0.0, C.EMPLOYEES_SIGMA, n)).astype(np.int64)
        emp = np.clip(emp, np.array(C.EMPLOYEES_MIN)[seg], np.array(C.EMPLOYEES_MAX)[seg])
        csm = rng.integers(0, len(C.CSM_NAMES), n)
        csm[(seg == 0) & (rng.random(n) >= C.SMB_CSM_SHARE)] = -1
        trial = rng.random(n) < np.array(C.TRIAL_SHARE)[seg]
        trial_days = rng.integers(*C.TRIAL_DAYS_RANGE, n)
        kind = rng.random(n)
        next_first = cal.month_start[c + 1]
        paid = np.where(
            trial,
            cday + trial_days,
            np.where(
                kind < C.PAID_START_FIRST_OF_MONTH_UPTO,
                next_first,
                np.where(
                    kind < C.PAID_START_LAST_OF_MONTH_UPTO,
                    next_first - 1,
                    cday + rng.integers(*C.PAID_START_DELAY_DAYS, n),
                ),
            ),
        )
        p0 = cal.month_of_day(paid)
        last = paid == cal.month_start[p0] + cal.month_days[p0] - 1
        anchor = np.where(last, 31, paid - cal.month_start[p0] + 1)
        terms = np.array(C.INTERVAL_MONTHS)
        ivl0 = terms[pick_rows(rng, np.array(C.INTERVAL_MIX)[seg])]
        disc = np.array(C.DISCOUNT_LEVELS)[pick_rows(rng, np.array(C.DISCOUNT_MIX)[seg])]
        plan0 = SEG_PLANS[seg, (rng.random(n) < C.START_ON_UPGRADE_PLAN_SHARE).astype(np.int64)]
        admins = C.ADMIN_COUNT_RANGE
        n_admin = np.where(
            seg == 0,
            admins[0][0],
            np.where(seg == 1, rng.integers(*admins[1], n), rng.integers(*admins[2], n)),
        )
        sponsor = (seg > 0) | (rng.random(n) < C.SMB_SPONSOR_SHARE)
        n_special = 1 + sponsor.astype(np.int64) + n_admin
        seats0 = np.round(
            np.array(C.SEATS_MEDIAN)[seg] * rng.lognormal(0, 1, n) ** np.array(C.SEATS_SIGMA)[seg]
        )
        seats0 = np.maximum(seats0.astype(np.int64), n_special + 1)
        act_share = C.DRIVER_EFFECTS["activation_failure"]["share_of_new_accounts_by_icp_tier"]
        act_fail = (~pre) & (rng.random(n) < np.array(act_share)[icp - 1])
        icp_drift = recent & (seg == 0) & (icp == 3)
        mu = (
            np.array(C.HEALTH_MEAN_BY_ICP_TIER)[icp - 1]
            + np.array(C.HEALTH_MEAN_SEGMENT_OFFSET)[seg]
        )
        self.mu_ref = np.array(C.HEALTH_REFERENCE_BY_SEGMENT)[seg]
        h0 = (
            mu
            + rng.normal(0.0, C.HEALTH_START_SD, n)
            + C.DRIVER_EFFECTS["activation_failure"]["health_shock"] * act_fail
        )
        # the dict's values are drawn in the order written: keep it
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
            drift=np.array(C.HEALTH_DRIFT_BY_ICP_TIER)[icp - 1],
            sigma=np.array(C.HEALTH_VOLATILITY_BY_SEGMENT)[seg],
            h0=h0,
            community=rng.random(n)
            < np.array(C.COMMUNITY_MEMBER_SHARE)[seg]
            * np.where(icp == 1, C.COMMUNITY_TIER1_LIFT, 1.0),
            comp=rng.integers(0, len(C.COMPETITORS), n),
            usage_line=rng.random(n) < np.array(C.USAGE_LINE_SHARE)[seg],
            usage_qty=np.round(
                np.array(C.USAGE_QTY_MEDIAN)[seg] * rng.lognormal(0, C.USAGE_QTY_SIGMA, n), 1
            ),
            onboarding=rng.random(n) < np.array(C.ONBOARDING_SHARE)[seg],
            addon0=rng.random(n) < np.array(C.ANALYTICS_AT_START_SHARE)[seg],
            nps_phase=rng.integers(0, C.NPS_CYCLE_MONTHS, n),
            name=rng.integers(0, 10**9, n),
        )

    def _start_accounts(self, new: np.ndarray, t: int) -> None:
        """Accounts created in month t: their first users and the trial line."""
        rng, a = self.rng, self.a
        cap = self.cal.end_sec - 1
        csec = a["csec"][new]
        self._ensure_specials(new, csec)
        self._set_end_users(
            new,
            self._eu_target(new, self.seats[new]),
            csec + rng.integers(0, C.NEW_USERS_DAYS * SECONDS_PER_DAY, len(new)),
        )
        n_unl = rng.poisson(np.array(C.UNLICENSED_USERS_AT_START)[a["seg"][new]])
        m = n_unl > 0
        spread = C.UNLICENSED_USERS_DAYS * SECONDS_PER_DAY
        st = np.minimum(csec[m] + rng.integers(0, spread, int(m.sum())), cap)
        self._new_stint(new[m], END_USER, False, n_unl[m], st)
        tr = new[a["trial"][new]]
        tr_end = a["paid_day"][tr]
        self._emit_line(
            tr,
            PRODUCT_OF_SLOT[CORE],
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

    # ------------------------------------------------------------------ lines
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
        ivl = np.where(self.interval[idx] > 1, 12, 1)  # add-ons of term contracts bill yearly
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

    def _close_open_lines(self) -> None:
        """At the end of history: emit the lines still open (term lines end at their term)."""
        cal, a = self.cal, self.a
        for slot in SLOTS:
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

    # ------------------------------------------------------------------ contract events
    def _open_contract(self, idx: np.ndarray, day: np.ndarray, t: int, first: bool) -> None:
        a = self.a
        ivl = self.interval[idx]
        self.status[idx] = PAYING
        self.term_end[idx] = np.where(ivl > 1, t + ivl, -1)
        self.n_ren[idx] = 0
        self.core_start_m[idx] = t
        self.lead_ann[idx] = pick(self.rng, len(idx), C.RENEWAL_DECISION_LEAD_MIX) + 1
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

    def _changes(self, idx: np.ndarray, b: np.ndarray, t: int) -> None:
        """Renewals, and the expansions and contractions decided last month."""
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
        m = expn & (kind == MORE_SEATS)
        grow = rng.uniform(*C.EXPANSION_SEAT_FACTOR, k)[m]
        new_seats[m] = np.maximum(seats[m] + 1, np.round(seats[m] * grow))
        m = expn & (kind == ADD_ADDON)
        first_free = np.where(~self.s_open[ANALYTICS, idx], ANALYTICS, AUTOMATION)
        add[ANALYTICS] = m & (first_free == ANALYTICS)
        add[AUTOMATION] = m & (first_free == AUTOMATION) & ~self.s_open[AUTOMATION, idx]
        m = expn & (kind == UPGRADE_PLAN)
        new_plan[m] = SEG_PLANS[seg[m], 1]
        ck = self.con_kind[idx]
        m = con & (ck == FEWER_SEATS)
        shrink = rng.uniform(*C.CONTRACTION_SEAT_FACTOR, k)[m]
        new_seats[m] = np.maximum(floor[m], np.round(seats[m] * shrink))
        m = con & (ck == DROP_ADDON)
        drop[AUTOMATION] = m & self.s_open[AUTOMATION, idx]
        drop[ANALYTICS] = m & ~drop[AUTOMATION] & self.s_open[ANALYTICS, idx]
        u = rng.random(k)
        up = ren & (s > C.RENEWAL_UPSELL_HEALTH) & (u < C.RENEWAL_UPSELL_SHARE)
        band_lo, band_hi = C.RENEWAL_DOWNSELL_DRAW_BAND
        dn = ren & (s < C.RENEWAL_DOWNSELL_HEALTH) & (u >= band_lo) & (u < band_hi)
        new_seats[up] = np.round(new_seats[up] * rng.uniform(*C.RENEWAL_UPSELL_SEAT_FACTOR, k)[up])
        new_seats[dn] = np.maximum(
            floor[dn], np.round(new_seats[dn] * rng.uniform(*C.RENEWAL_DOWNSELL_SEAT_FACTOR, k)[dn])
        )
        ren_drop = (
            ren & (s < C.RENEWAL_ADDON_DROP_HEALTH) & (rng.random(k) < C.RENEWAL_ADDON_DROP_SHARE)
        )
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
            ivl = np.where(r & (ivl == 36), 12, ivl)  # a 36-month prepaid term renews yearly
            self.interval[ci] = ivl
            ri = ci[r]
            self.term_end[ri] = t + ivl[r]
            self.n_ren[ri] += 1
            self.core_start_m[ri] = t
            self.lead_ann[ri] = pick(rng, len(ri), C.RENEWAL_DECISION_LEAD_MIX) + 1
            self.seats[ci] = new_seats[core_change]
            self.plan[ci] = new_plan[core_change]
            end_m = np.where(ivl > 1, self.term_end[ci], -1)
            price = self._core_price(ci, self.plan[ci], ivl)
            self._open(
                CORE, ci, cday, t, self.seats[ci].astype(float), price, ivl, self.plan[ci], end_m
            )
            spread = C.SEAT_CHANGE_USERS_DAYS * SECONDS_PER_DAY
            sec = cday * SECONDS_PER_DAY + rng.integers(0, spread, len(ci))
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
        """Win-back: a churned account signs a new contract on its segment's entry plan."""
        a, rng = self.a, self.rng
        self._close(CORE, re, day, t)  # the free plan, if any
        self.free[re] = False
        seg = a["seg"][re]
        terms = np.array(C.INTERVAL_MONTHS)
        self.interval[re] = terms[pick_rows(rng, np.array(C.INTERVAL_MIX)[seg])]
        floor = a["n_special"][re] + 1
        self.seats[re] = np.maximum(
            floor, np.round(self.seats[re] * rng.uniform(*C.WINBACK_SEAT_FACTOR, len(re)))
        )
        self.plan[re] = SEG_PLANS[seg, 0]
        self._open_contract(re, day, t, first=False)
        self.n_react[re] += 1
        self.react_m[re] = -1
        firstr = self.react_day[re] < 0
        self.react_day[re[firstr]] = day[firstr]
        self.acc_start[re] = day * SECONDS_PER_DAY
        self.acc_end[re] = OPEN_SEC
        self.h[re] = np.maximum(self.h[re], a["mu"][re] - C.WINBACK_HEALTH_MARGIN)  # fresh start
        lead = C.WINBACK_USERS_LEAD_DAYS * SECONDS_PER_DAY
        sec = day * SECONDS_PER_DAY - rng.integers(0, lead, len(re))
        self._ensure_specials(re, sec)
        self._set_end_users(re, self._eu_target(re, self.seats[re]), sec)

    # ------------------------------------------------------------------ expansion intent
    def _expansion_intent(self, t: int, s: np.ndarray, win: bool) -> None:
        """Decide next month's expansions and contractions (and, in the window, CRM signals)."""
        a, rng = self.a, self.rng
        cand = (
            (self.status == PAYING)
            & (self.intent_exec < 0)
            & (self.exp_exec < 0)
            & (self.con_exec < 0)
            & (t > self.first_paid_m)
        )
        seg = a["seg"]
        dev = self.h - self.mu_ref
        pe = (
            C.EXPANSION_RATE_MONTHLY
            * np.array(C.EXPANSION_SEGMENT_LIFT)[seg]
            * np.exp(C.EXPANSION_HEALTH_SENSITIVITY * dev)
            * np.where(a["icp"] == 3, C.EXPANSION_TIER3_FACTOR, 1.0)
        )
        u = rng.random((4, self.n))
        e = np.flatnonzero(cand & (u[0] < pe))
        if len(e):
            k = len(e)
            kind = pick(rng, k, C.EXPANSION_KIND_MIX)
            both = self.s_open[ANALYTICS, e] & self.s_open[AUTOMATION, e]
            top = self.plan[e] == SEG_PLANS[seg[e], 1]
            kind = np.where(
                ((kind == ADD_ADDON) & both) | ((kind == UPGRADE_PLAN) & top), MORE_SEATS, kind
            )
            self.exp_exec[e] = t + 1
            self.exp_kind[e] = kind
            if win:
                self._expansion_signals(e, t)
        pc = C.CONTRACTION_RATE_MONTHLY * np.exp(-C.CONTRACTION_HEALTH_SENSITIVITY * dev)
        c = np.flatnonzero(cand & (self.interval == 1) & (u[1] < pc) & (self.exp_exec < 0))
        if len(c):
            has_addon = self.s_open[ANALYTICS, c] | self.s_open[AUTOMATION, c]
            self.con_exec[c] = t + 1
            self.con_kind[c] = np.where(
                has_addon & (rng.random(len(c)) < C.CONTRACTION_ADDON_SHARE),
                DROP_ADDON,
                FEWER_SEATS,
            )
        if win:
            self._account_signals(t, s, u[2], u[3])
