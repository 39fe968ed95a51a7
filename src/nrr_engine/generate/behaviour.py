"""Behaviour: users, CRM signals, integrations, support tickets, NPS, feedback, community and
the monthly usage snapshot from which ``tables.py`` streams the usage events.

Behavioural rows draw from ``self.rb`` so that they never move the commercial path; a few
user moves triggered by contract events (a new account, a seat change) draw from ``self.rng``
inside ``accounts.py``. The order of the draws is part of the output: keep it.
"""

from __future__ import annotations

import numpy as np

from . import constants as C
from .state import ADMIN, CHAMPION, CRM, END_USER, NOT_PAYING, PAYING, SPONSOR, SimulationState
from .util import SECONDS_PER_HOUR, pick, pick_rows

# columns of the ticket topic weights (index into C.TICKET_TOPICS)
BILLING = C.TICKET_TOPICS.index("billing")
ONBOARDING = C.TICKET_TOPICS.index("onboarding")
FEATURE_REQUEST = C.TICKET_TOPICS.index("feature_request")
# sizes of the wording draws (constants.TICKET_SUBJECT_DRAWS ...): the codes are no longer
# looked up (feedback_text.py writes the texts), the draws keep the stream where it was
N_SUBJECTS = C.TICKET_SUBJECT_DRAWS
N_OPENERS = C.TICKET_OPENER_DRAWS
N_ISSUES = C.TICKET_ISSUE_DRAWS
N_CLOSERS = C.TICKET_CLOSER_DRAWS
N_NPS_COMMENTS = C.NPS_COMMENT_DRAWS
N_FEEDBACK_BODIES = C.FEEDBACK_BODY_DRAWS
#: NPS categories: detractor 0-6, passive 7-8, promoter 9-10
NPS_PASSIVE_FROM, NPS_PROMOTER_FROM = 7, 9


class BehaviourMixin(SimulationState):
    """Users and the behavioural tables of the window."""

    # ------------------------------------------------------------------ users
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
        self.stints.cols["end"][recs] = np.maximum(sec, start + SECONDS_PER_HOUR)

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
            st = np.minimum(sec[m] + rng.integers(0, C.SPECIAL_USERS_DELAY_SEC, len(sel)), cap)
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

    # ------------------------------------------------------------------ CRM signals
    def _expansion_signals(self, e: np.ndarray, t: int) -> None:
        """Lead signals of a real expansion, in the month before it executes."""
        rb = self.rb
        n_sig = 1 + rb.poisson(C.EXTRA_EXPANSION_SIGNALS_MEAN, len(e))
        ai = np.repeat(e, n_sig)
        types = np.array([CRM[x] for x, _ in C.EXPANSION_SIGNALS])
        et = types[pick(rb, len(ai), [w for _, w in C.EXPANSION_SIGNALS])]
        self._emit_signals(ai, et, t)

    def _emit_signals(self, ai: np.ndarray, et: np.ndarray, t: int) -> None:
        rb = self.rb
        sec = self._rand_sec(rb, ai, t)
        role = np.where(
            et == CRM["pricing_page_visit"],
            -1,
            np.where(rb.random(len(ai)) < C.SIGNAL_CHAMPION_SHARE, CHAMPION, ADMIN),
        )
        details = np.where(rb.random(len(ai)) < C.SIGNAL_DETAILS_SHARE, et, -1)
        self.crm.add(acct=ai, sec=sec, etype=et, role=role, details=details)
        inv = et == CRM["unlicensed_user_invited"]
        if inv.any():
            invited = rb.integers(*C.INVITED_USERS_RANGE, int(inv.sum()))
            self._new_stint(ai[inv], END_USER, False, invited, sec[inv])

    def _account_signals(self, t: int, s: np.ndarray, u_bg: np.ndarray, u_qbr: np.ndarray) -> None:
        """CRM events that lead nowhere: background expansion signals (noise for the models),
        QBRs and executive touches. ``u_bg`` and ``u_qbr`` are draws of the commercial stream.
        """
        a, rb = self.a, self.rb
        seg = a["seg"]
        live = self.status == PAYING
        bg = np.flatnonzero(live & (u_bg < C.BACKGROUND_EXPANSION_SIGNAL_RATE * s))
        if len(bg):
            types = np.array([CRM[x] for x, _ in C.EXPANSION_SIGNALS])
            et = types[pick(rb, len(bg), [w for _, w in C.EXPANSION_SIGNALS])]
            self._emit_signals(bg, et, t)
        qbr_rate = np.array(C.QBR_RATE_MONTHLY)[seg] * (C.QBR_HEALTH_BASE + s)
        qb = np.flatnonzero(live & (u_qbr < qbr_rate))
        if len(qb):
            self.crm.add(
                acct=qb,
                sec=self._rand_sec(rb, qb, t),
                etype=CRM["qbr_held"],
                role=np.where(rb.random(len(qb)) < C.QBR_SPONSOR_SHARE, SPONSOR, CHAMPION),
                details=CRM["qbr_held"],
            )
        touch_rate = np.array(C.EXECUTIVE_TOUCH_RATE_MONTHLY)[seg]
        xt = np.flatnonzero(live & (rb.random(self.n) < touch_rate))
        if len(xt):
            self.crm.add(
                acct=xt,
                sec=self._rand_sec(rb, xt, t),
                etype=CRM["executive_touch"],
                role=SPONSOR,
                details=np.where(
                    rb.random(len(xt)) < C.EXECUTIVE_TOUCH_DETAILS_SHARE,
                    CRM["executive_touch"],
                    -1,
                ),
            )

    # ------------------------------------------------------------------ integrations
    def _integrations(self, t: int, s: np.ndarray, win: bool) -> None:
        a, rb = self.a, self.rb
        live = (a["c"] <= t) & ((self.status <= PAYING) | self.free)
        n_int = (self.conn >= 0).sum(axis=1)
        cap_n = np.array(C.INTEGRATIONS_MAX)[a["seg"]]
        tenure = t - a["c"]
        p = (
            C.INTEGRATION_CONNECT_RATE
            * s
            * (n_int < cap_n)
            * np.where(tenure < C.INTEGRATION_EARLY_MONTHS, 1.0, C.INTEGRATION_LATE_FACTOR)
        )
        u = rb.random(self.n)
        k = rb.integers(0, len(C.INTEGRATION_CATALOGUE), self.n)
        cn = np.flatnonzero(live & (u < p) & (self.conn[np.arange(self.n), k] < 0))
        if len(cn):
            self.conn[cn, k[cn]] = self._rand_sec(rb, cn, t)
        if win:
            pd = C.INTEGRATION_DISCONNECT_BASE + C.INTEGRATION_DISCONNECT_SLOPE * (1 - s)
            dc = np.flatnonzero((self.status == PAYING) & (n_int > 0) & (rb.random(self.n) < pd))
            if len(dc):
                score = np.where(self.conn[dc] >= 0, rb.random((len(dc), self.conn.shape[1])), -1.0)
                kk = score.argmax(axis=1)
                c0 = self.conn[dc, kk]
                d = np.maximum(self._rand_sec(rb, dc, t), c0 + SECONDS_PER_HOUR)
                ok = (c0 >= 0) & (d < self.cal.end_sec)
                self.integ.add(acct=dc[ok], k=kk[ok], conn=c0[ok], disc=d[ok])
                self.conn[dc[ok], kk[ok]] = -1

    def _disconnect_all(self, idx: np.ndarray, sec: np.ndarray) -> None:
        conn = self.conn[idx]
        ai, ki = np.nonzero(conn >= 0)
        if len(ai):
            c0 = conn[ai, ki]
            d = np.maximum(sec[ai], c0 + SECONDS_PER_HOUR)
            ok = d < self.cal.end_sec
            self.integ.add(acct=idx[ai[ok]], k=ki[ok], conn=c0[ok], disc=d[ok])
            sub = conn.copy()  # a disconnection after end-date would stay connected
            sub[ai[ok], ki[ok]] = -1
            self.conn[idx] = sub

    # ------------------------------------------------------------------ behavioural rows
    def _behaviour(self, t: int, s: np.ndarray) -> None:
        a = self.a
        access = (self.status == PAYING) | self.free
        intent = self.intent_exec >= 0
        pay_recent = (t - self.pay_m) < C.TICKET_PAYMENT_MONTHS
        act_early = a["act_fail"] & ((t - a["c"]) < C.TICKET_ACTIVATION_MONTHS)
        comp_on = (t - self.comp_m) < C.TICKET_COMPETITOR_MONTHS
        self._support_tickets(t, s, access, intent, pay_recent, act_early, comp_on)
        self._nps_responses(t, s, intent)
        self._feedback_items(t, s, access)
        self._community_activity(t, s, access)

    def _support_tickets(self, t, s, access, intent, pay_recent, act_early, comp_on) -> None:
        rb = self.rb
        seg = self.a["seg"]
        lam = (
            np.array(C.TICKET_RATE_MONTHLY)[seg]
            * (1 + C.TICKET_HEALTH_SLOPE * (1 - s))
            * (
                1
                + C.TICKET_INTENT_LIFT * intent
                + C.TICKET_PAYMENT_LIFT * pay_recent
                + C.TICKET_ACTIVATION_LIFT * act_early
            )
            * np.where(self.free, C.TICKET_FREE_PLAN_FACTOR, 1.0)
            * access
        )
        nt = rb.poisson(lam)
        ai = np.repeat(np.arange(self.n), nt)
        if len(ai) == 0:
            return
        k = len(ai)
        w = np.tile(np.array(C.TICKET_TOPIC_WEIGHTS), (k, 1))
        w[:, BILLING] += C.TICKET_BILLING_BOOST * pay_recent[ai]
        w[:, ONBOARDING] += C.TICKET_ONBOARDING_BOOST * act_early[ai]
        w[:, FEATURE_REQUEST] += C.TICKET_FEATURE_REQUEST_BOOST * comp_on[ai]
        topic = pick_rows(rb, w)
        sa = s[ai]
        p_fr = np.clip(
            C.TICKET_FRUSTRATION_BASE
            + C.TICKET_FRUSTRATION_SLOPE * (1 - sa) ** C.TICKET_FRUSTRATION_POWER
            + C.TICKET_FRUSTRATION_INTENT_LIFT * intent[ai]
            + C.TICKET_FRUSTRATION_PAYMENT_LIFT * pay_recent[ai],
            0,
            C.TICKET_FRUSTRATION_MAX,
        )
        tone = (rb.random(k) < p_fr).astype(np.int64)
        # wording draws (unused codes, kept for the stream)
        subj = (topic * 2 + tone) * N_SUBJECTS + rb.integers(0, N_SUBJECTS, k)
        n_topics = len(C.TICKET_TOPICS)
        body = (
            ((tone * N_OPENERS + rb.integers(0, N_OPENERS, k)) * n_topics + topic) * N_ISSUES
            + rb.integers(0, N_ISSUES, k)
        ) * N_CLOSERS + rb.integers(0, N_CLOSERS, k)
        pr_w = np.where(
            tone[:, None] == 1, C.TICKET_PRIORITY_MIX_FRUSTRATED, C.TICKET_PRIORITY_MIX_CALM
        )
        prio = pick_rows(rb, pr_w)
        bump = (seg[ai] == 2) * (rb.random(k) < C.TICKET_ENTERPRISE_BUMP_SHARE)
        prio = np.minimum(prio + bump, len(C.PRIORITIES) - 1)
        sec = self._rand_sec(rb, ai, t)
        hours = rb.lognormal(
            np.log(np.array(C.TICKET_RESOLUTION_HOURS)[prio]), C.TICKET_RESOLUTION_SIGMA
        )
        resolved = sec + (hours * SECONDS_PER_HOUR).astype(np.int64)
        resolved = np.where(
            (resolved >= self.cal.end_sec) | (rb.random(k) < C.TICKET_UNRESOLVED_SHARE),
            -1,
            resolved,
        )
        score = np.clip(
            np.round(
                C.CSAT_BASE
                + C.CSAT_HEALTH_SLOPE * sa
                - C.CSAT_FRUSTRATION_PENALTY * tone
                + rb.normal(0, C.CSAT_NOISE_SD, k)
            ),
            1,
            5,
        )
        rated = (resolved >= 0) & (rb.random(k) < C.CSAT_RESPONSE_SHARE)
        csat = np.where(rated, score, -1).astype(np.int64)
        ok, rec, j, rank = self._pick_users(ai, C.TICKET_USER_MIX)
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

    def _nps_responses(self, t, s, intent) -> None:
        rb, a = self.rb, self.a
        due = (self.status == PAYING) & ((t + a["nps_phase"]) % C.NPS_CYCLE_MONTHS == 0)
        nr = rb.poisson(np.array(C.NPS_RESPONSES_PER_CYCLE)[a["seg"]] * due)
        ai = np.repeat(np.arange(self.n), nr)
        if len(ai) == 0:
            return
        k = len(ai)
        recent_champ = (t - self.champ_m[ai]) < C.NPS_CHAMPION_MONTHS
        sadj = s[ai] - C.NPS_INTENT_PENALTY * intent[ai] - C.NPS_CHAMPION_PENALTY * recent_champ
        score = np.clip(
            np.round(C.NPS_BASE + C.NPS_HEALTH_SLOPE * sadj + rb.normal(0, C.NPS_NOISE_SD, k)),
            0,
            10,
        ).astype(np.int64)
        cat = np.where(score >= NPS_PROMOTER_FROM, 2, np.where(score >= NPS_PASSIVE_FROM, 1, 0))
        comment = np.where(
            rb.random(k) < C.NPS_COMMENT_SHARE, cat * 10 + rb.integers(0, N_NPS_COMMENTS, k), -1
        )
        ok, rec, j, rank = self._pick_users(ai, C.NPS_USER_MIX)
        self.nps.add(
            acct=ai[ok],
            sec=self._rand_sec(rb, ai, t)[ok],
            score=score[ok],
            comment=comment[ok],
            urec=rec[ok],
            uj=j[ok],
            urank=rank[ok],
        )

    def _feedback_items(self, t, s, access) -> None:
        """Feedback linked to an account, and anonymous feedback (reviews, social)."""
        rb = self.rb
        nf = rb.poisson(np.array(C.FEEDBACK_RATE_MONTHLY)[self.a["seg"]] * access)
        ai = np.repeat(np.arange(self.n), nf)
        n_anon = rb.poisson(C.ANONYMOUS_FEEDBACK_RATE * access.sum())
        if not (len(ai) or n_anon):
            return
        k = len(ai)
        src = pick(rb, k, C.FEEDBACK_SOURCE_MIX)
        sa = s[ai]
        src_a = pick(rb, n_anon, C.ANONYMOUS_FEEDBACK_SOURCE_MIX)
        s_all = np.concatenate([sa, rb.beta(*C.ANONYMOUS_HEALTH_BETA, n_anon)])
        src_all = np.concatenate([src, src_a])
        u = rb.random(k + n_anon)
        negative = u < (1 - s_all) ** C.FEEDBACK_NEGATIVE_POWER
        positive = u > 1 - s_all**C.FEEDBACK_POSITIVE_POWER
        senti = np.where(negative, 0, np.where(positive, 2, 1))
        body = senti * 10 + rb.integers(0, N_FEEDBACK_BODIES, k + n_anon)
        review = src_all == C.FEEDBACK_SOURCES.index("review")
        rating = np.where(review, np.clip(senti * 2 + 1 + rb.integers(-1, 2, k + n_anon), 1, 5), -1)
        lo, hi = self.cal.month_sec(t)
        sec_anon = lo + (rb.random(n_anon) * (hi - lo)).astype(np.int64)
        self.feedback.add(
            acct=np.concatenate([ai, np.full(n_anon, -1)]),
            source=src_all,
            sec=np.concatenate([self._rand_sec(rb, ai, t), sec_anon]),
            body=body,
            rating=rating,
        )

    def _community_activity(self, t, s, access) -> None:
        rb, a = self.rb, self.a
        member_rate = np.array(C.COMMUNITY_RATE_MONTHLY)[a["seg"]]
        rate = np.where(a["community"], member_rate, C.COMMUNITY_NON_MEMBER_RATE) * (
            C.COMMUNITY_HEALTH_BASE + s
        )
        nc = rb.poisson(rate * access)
        ai = np.repeat(np.arange(self.n), nc)
        if len(ai) == 0:
            return
        atype = pick(rb, len(ai), C.COMMUNITY_MIX)
        ok, rec, j, rank = self._pick_users(ai, C.COMMUNITY_USER_MIX)
        self.community.add(
            acct=ai[ok],
            sec=self._rand_sec(rb, ai, t)[ok],
            atype=atype[ok],
            urec=rec[ok],
            uj=j[ok],
            urank=rank[ok],
        )

    # ------------------------------------------------------------------ usage snapshot
    def _usage_multiplier(self, t: int) -> np.ndarray:
        a = self.a
        um = np.ones(self.n)
        tenure = t - a["c"]
        af = a["act_fail"]
        af_usage = C.DRIVER_EFFECTS["activation_failure"]["usage_multiplier"]
        um = np.where(
            af & (tenure <= 1),
            af_usage["months_0_1"],
            np.where(af & (tenure < C.ACTIVATION_FAILURE_USAGE_MONTHS), af_usage["later"], um),
        )
        d = t - self.ud_m
        ud_effect = C.DRIVER_EFFECTS["usage_decline"]
        curve = np.array(ud_effect["usage_multiplier_by_month"])
        ud = np.where(
            d < ud_effect["window_months"],
            curve[np.clip(d, 0, len(curve) - 1)],
            np.where(d < C.USAGE_DECLINE_TAIL_MONTHS, C.USAGE_DECLINE_TAIL_MULTIPLIER, 1.0),
        )
        um = um * ud
        intent = self.intent_m >= 0
        decay = C.NOTICE_USAGE_DECAY ** (t - self.intent_m + 1)
        um = np.where(intent & (self.intent_exec >= 0), um * decay, um)
        lost_champion = (t - self.champ_m) < C.CHAMPION_LOSS_USAGE_MONTHS
        um = um * np.where(lost_champion, C.CHAMPION_LOSS_USAGE_MULTIPLIER, 1.0)
        um = np.where(self.status == NOT_PAYING, um * C.TRIAL_USAGE_MULTIPLIER, um)
        um = np.where(self.free, um * C.FREE_PLAN_USAGE_MULTIPLIER, um)
        return um

    def _snapshot(self, t: int, s: np.ndarray, eu_lo_start: np.ndarray) -> None:
        """Month t of the history arrays that drive the usage events."""
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
        self.intent_m[(self.status != PAYING) & (self.intent_exec < 0)] = -1
