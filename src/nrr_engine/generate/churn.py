"""Drivers and churn: planted drivers, the churn hazard, churn intent and execution, churn
surveys, win-back decisions and the ground truth.

Onsets and churn decisions draw from the commercial stream ``self.rng``; the traces they leave
in the behavioural tables (follow-up CRM events, surveys) draw from ``self.rb``. The order of
the draws is part of the output: keep it.
"""

from __future__ import annotations

import numpy as np

from . import constants as C
from .state import (
    ADMIN,
    CHAMPION,
    CHURNED,
    CORE,
    CRM,
    PAYING,
    PLAN,
    PRODUCT_OF_SLOT,
    REASON,
    RECURRING,
    SLOTS,
    SPONSOR,
    SimulationState,
)
from .util import SECONDS_PER_DAY, pick, pick_rows, sigmoid

E = C.DRIVER_EFFECTS
#: rows of the uniform draws of a month's driver onsets
ONSET_DRAWS = (
    "champion_departure",
    "usage_decline",
    "competitor_evaluation",
    "payment_failure_unresolved",
    "new_executive",
)


class ChurnMixin(SimulationState):
    """Planted drivers, churn intent and its execution."""

    # ------------------------------------------------------------------ hazard
    def _multipliers(self, idx: np.ndarray, t: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Hazard multiplier of each account (health, drivers, protection) and active drivers."""
        a = self.a
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
        for d, is_on in active.items():
            mult = mult * np.where(is_on, E[d]["hazard_multiplier"], 1.0)
        n_int = (self.conn[idx] >= 0).sum(axis=1)
        mult = mult * C.PROTECTIVE_EFFECTS["per_connected_integration"] ** n_int
        mult = mult * np.where(a["community"][idx], C.PROTECTIVE_EFFECTS["community_member"], 1.0)
        if self.scenario is not None:  # generate/scenarios.py
            extra = self.scenario.hazard_factor(self, idx, t)
            if extra is not None:
                mult = mult * extra
        return mult, active

    # ------------------------------------------------------------------ drivers
    def _drivers(self, t: int, b: np.ndarray, bvalid: np.ndarray, s: np.ndarray) -> None:
        """Onsets of the planted drivers in month t, in a fixed order."""
        cand = (self.status == PAYING) & (self.intent_exec < 0) & (t > self.first_paid_m)
        # drivers strike weak accounts more often
        hf = np.exp(C.DRIVER_ONSET_HEALTH_SENSITIVITY * (self.mu_ref - self.h))
        u = dict(zip(ONSET_DRAWS, self.rng.random((len(ONSET_DRAWS), self.n)), strict=True))
        self._champion_departure(t, cand, hf, u["champion_departure"])
        self._usage_decline(t, cand, hf, u["usage_decline"])
        self._competitor_evaluation(t, cand, hf, u["competitor_evaluation"])
        self._payment_failure(t, b, cand & bvalid, s, u["payment_failure_unresolved"])
        self._new_executive(t, u["new_executive"])

    def _champion_departure(self, t, cand, hf, u) -> None:
        rng = self.rng
        cap = self.cal.end_sec - 1
        rate = E["champion_departure"]["onset_rate_monthly"]
        ch = np.flatnonzero(cand & (self.champ_rec >= 0) & (u < rate * hf))
        if len(ch) == 0:
            return
        dep = self._rand_sec(rng, ch, t)
        self._end_stints(self.champ_rec[ch], dep)
        self.champ_rec[ch] = -1
        logged = C.CHAMPION_LEFT_LOGGED_DAYS * SECONDS_PER_DAY
        ev = np.minimum(dep + rng.integers(0, logged, len(ch)), cap)
        self.crm.add(
            acct=ch,
            sec=ev,
            etype=CRM["champion_left"],
            role=CHAMPION,
            details=CRM["champion_left"],
        )
        rep = rng.random(len(ch)) < C.CHAMPION_REPLACED_SHARE
        self.new_champ_m[ch[rep]] = t + rng.integers(*C.CHAMPION_REPLACEMENT_MONTHS, int(rep.sum()))
        self.champ_m[ch] = t
        self.h[ch] += E["champion_departure"]["health_shock"]
        self._gt("champion_departure", ch, dep // SECONDS_PER_DAY)

    def _usage_decline(self, t, cand, hf, u) -> None:
        rate = E["usage_decline"]["onset_rate_monthly"]
        ud = np.flatnonzero(cand & (u < rate * hf) & (t - self.ud_m > C.DRIVER_REFRACTORY_MONTHS))
        if len(ud) == 0:
            return
        self.ud_m[ud] = t
        self.h[ud] += E["usage_decline"]["health_shock"]
        self._gt("usage_decline", ud, np.full(len(ud), self.cal.month_start[t]))

    def _competitor_evaluation(self, t, cand, hf, u) -> None:
        rng, rb = self.rng, self.rb
        rate = E["competitor_evaluation"]["onset_rate_monthly"]
        if self.scenario is not None:  # generate/scenarios.py
            rate = rate * self.scenario.onset_factor(self, "competitor_evaluation", t)
        cp = np.flatnonzero(cand & (u < rate * hf) & (t - self.comp_m > C.DRIVER_REFRACTORY_MONTHS))
        if len(cp):
            self.comp_m[cp] = t
            self.h[cp] += E["competitor_evaluation"]["health_shock"]
            sec = self._rand_sec(rng, cp, t)
            self._gt("competitor_evaluation", cp, sec // SECONDS_PER_DAY)
            self._competitor_events(cp, sec, rng.random(len(cp)), CHAMPION)
        # traces in the months after the onset
        since = t - self.comp_m
        follow = np.flatnonzero(
            (self.status == PAYING) & (since >= 1) & (since <= C.COMPETITOR_FOLLOW_UP_MONTHS)
        )
        follow = follow[rb.random(len(follow)) < C.COMPETITOR_FOLLOW_UP_SHARE]
        if len(follow):
            kind_draw = rb.random(len(follow))
            self._competitor_events(follow, self._rand_sec(rb, follow, t), kind_draw, ADMIN)

    def _competitor_events(self, idx, sec, kind_draw, contact: int) -> None:
        """Competitor mentions (by ``contact``) or anonymous competitor page visits."""
        et = np.where(
            kind_draw < C.COMPETITOR_MENTION_SHARE,
            CRM["competitor_mention"],
            CRM["competitor_page_visit"],
        )
        self.crm.add(
            acct=idx,
            sec=sec,
            etype=et,
            role=np.where(et == CRM["competitor_mention"], contact, -1),
            details=C.COMPETITOR_DETAILS_OFFSET + self.a["comp"][idx],
        )

    def _payment_failure(self, t, b, cand_billed, s, u) -> None:
        """Payment failures, only in a month with an invoice."""
        a, rng = self.a, self.rng
        bill = cand_billed & ((self.interval == 1) | (self.core_start_m == t))
        rate = np.array(E["payment_failure_unresolved"]["onset_rate_monthly"])[a["seg"]]
        weak = np.where(s < C.PAYMENT_FAILURE_WEAK_HEALTH, C.PAYMENT_FAILURE_WEAK_LIFT, 1.0)
        pf = np.flatnonzero(bill & (u < rate * weak))
        if len(pf) == 0:
            return
        k = len(pf)
        unres = rng.random(k) < E["payment_failure_unresolved"]["unresolved_share"]
        never = rng.random(k) < C.PAYMENT_NEVER_PAID_SHARE
        res = np.where(
            unres,
            np.where(never, -1, rng.integers(*C.PAYMENT_LATE_DAYS, k)),
            rng.integers(*C.PAYMENT_RETRY_DAYS, k),
        )
        self.pay_fail.add(acct=pf, t=np.full(k, t), res_days=res)
        ui = pf[unres]
        self.pay_m[ui] = t
        self.h[ui] += E["payment_failure_unresolved"]["health_shock"]
        self._gt("payment_failure_unresolved", ui, b[ui])
        early = ui[
            (self.interval[ui] > 1)
            & never[unres]
            & (rng.random(len(ui)) < C.EARLY_TERMINATION_SHARE)
        ]
        if len(early):
            self.intent_exec[early] = np.minimum(
                t + rng.integers(*C.EARLY_TERMINATION_MONTHS, len(early)), self.term_end[early]
            )
            self.intent_m[early] = t
            self.intent_reason[early] = REASON["involuntary_payment"]
            self.h[early] += C.NOTICE_HEALTH_SHOCK

    def _new_executive(self, t, u) -> None:
        """A new executive joins; about half of them replace the sponsor (not a driver)."""
        rb = self.rb
        cap = self.cal.end_sec - 1
        ne = np.flatnonzero((self.status == PAYING) & (u < C.NEW_EXECUTIVE_RATE_MONTHLY))
        if len(ne) == 0:
            return
        sec = self._rand_sec(rb, ne, t)
        self.crm.add(
            acct=ne,
            sec=sec,
            etype=CRM["new_executive"],
            role=SPONSOR,
            details=CRM["new_executive"],
        )
        sw = ne[
            (self.sponsor_rec[ne] >= 0)
            & (rb.random(len(ne)) < C.NEW_EXECUTIVE_REPLACES_SPONSOR_SHARE)
        ]
        if len(sw):
            sw_sec = self._rand_sec(rb, sw, t)
            self._end_stints(self.sponsor_rec[sw], sw_sec)
            self.sponsor_rec[sw] = self._new_stint(
                sw, SPONSOR, True, 1, np.minimum(sw_sec + SECONDS_PER_DAY, cap)
            )

    # ------------------------------------------------------------------ churn intent
    def _churn_intent(self, t: int, s: np.ndarray) -> None:
        """Decide churns: monthly plans every month, term contracts ahead of their renewal."""
        a, rng = self.a, self.rng
        cand = (self.status == PAYING) & (self.intent_exec < 0) & (t > self.first_paid_m)
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
        self._tally_community(idx, rate, churn)
        ci = idx[churn]
        if len(ci) == 0:
            return
        k = len(ci)
        act = {d: v[churn] for d, v in active.items()}
        w = self._reason_weights(ci, act, first_ren[churn])
        if self.scenario is not None:  # generate/scenarios.py
            self.scenario.reason_weights(self, ci, t, w, REASON)
        reason = pick_rows(rng, w)
        lead = pick(rng, k, C.CHURN_NOTICE_LEAD_MIX) + 1
        lead = np.where(reason == REASON["involuntary_payment"], 1, lead)
        self.intent_exec[ci] = np.where(self.interval[ci] > 1, self.term_end[ci], t + lead)
        self.intent_m[ci] = t
        self.intent_reason[ci] = reason
        self.h[ci] += C.NOTICE_HEALTH_SHOCK
        self.exp_exec[ci] = -1
        self.con_exec[ci] = -1

    def _tally_community(self, idx: np.ndarray, rate: np.ndarray, churn: np.ndarray) -> None:
        """Count churn decisions of members and non-members against their expectation had
        membership no effect (the manifest's realised causal hazard ratio). Arithmetic only, no
        draw: the paths do not move."""
        member = self.a["community"][idx]
        effect = C.PROTECTIVE_EFFECTS["community_member"]
        expected = -np.expm1(-rate / np.where(member, effect, 1.0))
        tally = self.__dict__.setdefault("community_tally", np.zeros((2, 2)))
        for g, m in enumerate((member, ~member)):
            tally[g, 0] += churn[m].sum()
            tally[g, 1] += expected[m].sum()

    def _reason_weights(self, ci: np.ndarray, act: dict, first_ren: np.ndarray) -> np.ndarray:
        """Weights of the churn reasons: a base mix plus each active driver's excess hazard."""
        w = np.zeros((len(ci), len(C.CHURN_REASONS)))
        g = np.where(first_ren, E["renewal_cliff"]["hazard_multiplier"], 1.0)
        for reason, weight in C.CHURN_REASON_BASE_WEIGHTS.items():
            w[:, REASON[reason]] = weight * g
        w[:, REASON["poor_fit"]] = np.where(
            self.a["icp"][ci] == 3, C.POOR_FIT_REASON_WEIGHT_TIER3, C.POOR_FIT_REASON_WEIGHT
        )

        def add(reason, driver, share=1.0):
            w[:, REASON[reason]] += act[driver] * (E[driver]["hazard_multiplier"] - 1.0) * share

        add("champion_left", "champion_departure")
        add("budget", "usage_decline", C.USAGE_DECLINE_BUDGET_SHARE)
        add("missing_feature", "usage_decline", 1.0 - C.USAGE_DECLINE_BUDGET_SHARE)
        add("involuntary_payment", "payment_failure_unresolved")
        add("competitor", "competitor_evaluation")
        add("poor_fit", "icp_drift")
        add("poor_onboarding", "activation_failure")
        return w

    # ------------------------------------------------------------------ churn execution
    def _execute_churn(self, ex: np.ndarray, day: np.ndarray, t: int) -> None:
        a, rng, cal = self.a, self.rng, self.cal
        cap = cal.end_sec - 1
        for slot in SLOTS:
            self._close(slot, ex, day, t)
        self.status[ex] = CHURNED
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
        users_off = C.USERS_OFF_AFTER_CHURN_DAYS * SECONDS_PER_DAY
        off = np.minimum(day * SECONDS_PER_DAY + rng.integers(0, users_off, len(ex)), cap)
        self._churn_users(ex, fi, gone, off)
        # integrations disconnected (not on the free plan)
        integ_off = C.INTEGRATIONS_OFF_AFTER_CHURN_DAYS * SECONDS_PER_DAY
        g_off = np.minimum(
            day[~free] * SECONDS_PER_DAY + rng.integers(0, integ_off, len(gone)), cap
        )
        self._disconnect_all(gone, g_off)
        self._survey(ex, reason, day, t)
        # win-back decision (once per account)
        can = self.n_react[ex] == 0
        p_wb = np.array([C.WINBACK_PROBABILITY[r] for r in C.CHURN_REASONS])[reason]
        wb = can & (rng.random(len(ex)) < p_wb)
        self.react_m[ex[wb]] = t + rng.integers(*C.WINBACK_GAP_MONTHS, int(wb.sum()))

    def _churn_users(self, ex, fi, gone, off) -> None:
        """Everyone leaves, except champion and admins of accounts kept on the free plan."""
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

    def _survey(self, ex: np.ndarray, reason: np.ndarray, day: np.ndarray, t: int) -> None:
        """Churn surveys: who answers, the stated reason (with noise) and when."""
        rb, cal = self.rb, self.cal
        invol = reason == REASON["involuntary_payment"]
        rate = np.where(invol, C.SURVEY_RESPONSE_RATE_INVOLUNTARY, C.SURVEY_RESPONSE_RATE)
        resp = rb.random(len(ex)) < rate
        ex, reason, day, invol = ex[resp], reason[resp], day[resp], invol[resp]
        k = len(ex)
        if k == 0:
            return
        stated = reason.copy()
        noise = rb.random(k) < C.SURVEY_NOISE_SHARE
        stated[noise] = rb.integers(0, len(C.SURVEY_REASONS), int(noise.sum()))
        stated[invol] = np.where(
            rb.random(int(invol.sum())) < C.SURVEY_INVOLUNTARY_BUDGET_SHARE,
            REASON["budget"],
            REASON["other"],
        )
        comp = np.where(stated == REASON["competitor"], self.a["comp"][ex], -1)
        lo = (
            np.maximum(
                cal.month_start[np.maximum(self.intent_m[ex], 0)], day - C.SURVEY_DAYS_BEFORE
            )
            * SECONDS_PER_DAY
        )
        off_lo, off_hi = C.SURVEY_OFFSET_DAYS
        sec = day * SECONDS_PER_DAY + rb.integers(
            off_lo * SECONDS_PER_DAY, off_hi * SECONDS_PER_DAY, k
        )
        sec = np.clip(sec, lo, cal.end_sec - 1)
        n_comments = C.SURVEY_COMMENT_DRAWS
        comment = np.where(rb.random(k) < C.SURVEY_COMMENT_SHARE, rb.integers(0, n_comments, k), -1)
        self.surveys.add(acct=ex, sec=sec, reason=stated, comp=comp, comment=comment)

    # ------------------------------------------------------------------ ground truth
    def _ground_truth_at_end(self, lines: dict[str, np.ndarray]) -> None:
        """Exposure dates of the drivers decided at creation, and the health at end-date."""
        cal, a = self.cal, self.a
        T = cal.T
        # renewal cliff exposure: the first renewal date of term contracts, inside the window
        rec = (
            (lines["ltype"] == RECURRING)
            & (lines["product"] == PRODUCT_OF_SLOT[CORE])
            & (lines["price"] > 0)
        )
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
        self.h_end = sigmoid(self.h)
