"""Turn a finished ``Simulation`` into the raw tables (Arrow) and stream the usage events."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import constants as C
from . import onboarding
from .cs_activity import OWNERS as CS_OWNERS
from .cs_activity import TOUCH_CLASSES as CS_TOUCH_CLASSES
from .feedback_text import Voice
from .io import account_ids, account_order, date_array, id_array, take_str, ts_array
from .schema import SCHEMAS, ground_truth_schema
from .simulate import Simulation
from .state import ADMIN, CHAMPION, END_USER, SPONSOR, USAGE_LINE
from .util import OPEN_SEC, SECONDS_PER_DAY, SECONDS_PER_HOUR, pick, pick_rows, rng_for

#: sessions per account-month at average health, by segment (before seats/health factors)
SESSION_RATE = [4.8, 9.0, 15.6]

# Parameters of the table builders (the simulation's are in constants.py). Ranges written
# (low, high) are half-open draws [low, high).
#: end users created or deactivated together spread over this many hours
END_USER_SPREAD_HOURS = 6
#: a user's rows sit at least this many seconds inside the user's lifetime
USER_MARGIN_SEC = 60
#: a ticket is resolved at least this many seconds after it is opened
MIN_RESOLUTION_SEC = 1800
#: invoices: metered lines bill this factor of their nominal quantity; days until due (smb,
#: others); time to pay (smb cards: hours, others: days); hour of issue
USAGE_BILL_FACTOR = (0.5, 1.5)
INVOICE_DUE_DAYS_SMB = 14
INVOICE_DUE_DAYS = 30
SMB_PAYMENT_DELAY_HOURS = (0, 2)
PAYMENT_DELAY_DAYS = (2, 40)
INVOICE_ISSUE_HOUR_RANGE = (6, 10)
#: share of invoices paid on a retry after a few days (not a planted failure)
RETRY_SHARE = 0.02
RETRY_DAYS = (1, 6)
#: attempts of a failed or long-delayed planted payment failure
FAILED_ATTEMPTS_RANGE = (3, 5)
#: a uniform draw above these thresholds voids (0.6%) or refunds (0.4%) an invoice
VOID_ABOVE = 0.994
REFUNDED_ABOVE = 0.990
#: a voided invoice is voided this many days after its issue (often after its due date, when
#: it was overdue until then), and always before the export
VOID_AFTER_DAYS = (3, 60)
#: usage sessions: elasticity to seats relative to the segment median, health factor
#: base + slope * health, role mix of the session's user (USER_ROLES order)
SESSION_SEATS_ELASTICITY = 0.3
SESSION_HEALTH_BASE = 0.25
SESSION_HEALTH_SLOPE = 1.5
SESSION_USER_MIX = [0.3, 0.05, 0.15, 0.5]
#: a session needs this much of the user's time in the month; its events end this many seconds
#: before the user's window closes
MIN_SESSION_WINDOW_SEC = 600
SESSION_TAIL_SEC = 300
#: share of sessions in working hours (normal around the mean hour, UTC), share of weekend
#: sessions kept
WORKING_HOURS_SHARE = 0.8
WORKING_HOURS_MEAN_HOUR = 14
WORKING_HOURS_SD_HOURS = 3
WEEKEND_SESSION_SHARE = 0.3
#: events per session: 1 + Poisson(base + slope * health * sqrt(usage multiplier)); gaps
#: between events: exponential mean plus a minimum, in seconds
EVENTS_PER_SESSION_BASE = 0.5
EVENTS_PER_SESSION_HEALTH_SLOPE = 3.5
EVENT_GAP_MEAN_SEC = 90.0
EVENT_GAP_MIN_SEC = 5
#: feature tiers: share of advanced and workflow events = base + slope * health ** 2; breadth of
#: the features used (share of the tier) = base + slope * health; skew towards the first ones
ADVANCED_SHARE_BASE = 0.04
ADVANCED_SHARE_SLOPE = 0.30
WORKFLOW_SHARE_BASE = 0.03
WORKFLOW_SHARE_SLOPE = 0.25
FEATURE_BREADTH_BASE = 0.3
FEATURE_BREADTH_SLOPE = 0.7
FEATURE_POPULARITY_SKEW = 1.5
# invoice status codes (index into C.INVOICE_STATUSES)
PAID, OPEN, FAILED, VOID, REFUNDED = range(5)


def _sorted(keys: list[np.ndarray]) -> np.ndarray:
    """Stable row order by keys (first key most significant)."""
    return np.lexsort(tuple(reversed(keys)))


class Builder:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.cal = sim.cal
        self.a = sim.a
        self.n = sim.n
        self.end_sec = self.cal.end_sec
        # account ids follow creation order
        order = account_order(self.a["csec"])
        self.acct_rank = np.empty(self.n, np.int64)
        self.acct_rank[order] = np.arange(self.n)
        self.acct_order = order
        self.acct_ids = account_ids(self.a["csec"])
        self._users_built = False
        self._voice: Voice | None = None

    @property
    def voice(self) -> Voice:
        """The writer of every text; needs the line items (its effects precede ARR events)."""
        if self._voice is None:
            self._voice = Voice(self.sim.seed, self.lines, self.cal.end_day)
        return self._voice

    def _competitor_events(self) -> tuple[np.ndarray, np.ndarray]:
        """(account, day) of the CRM competitor mentions and competitor page visits."""
        d = self.sim.crm.concat()
        m = d["details"] >= C.COMPETITOR_DETAILS_OFFSET
        return d["acct"][m], d["sec"][m] // SECONDS_PER_DAY

    def acct(self, idx: np.ndarray) -> pa.Array:
        return self.acct_ids.take(pa.array(np.asarray(idx, dtype=np.int64)))

    # ------------------------------------------------------------------ accounts
    def accounts(self) -> pa.Table:
        a, o = self.a, self.acct_order
        name = a["name"][o]
        adj = np.array(C.NAME_ADJECTIVES, dtype=object)[name % len(C.NAME_ADJECTIVES)]
        noun = np.array(C.NAME_NOUNS, dtype=object)[(name // 100) % len(C.NAME_NOUNS)]
        suf = np.array(C.NAME_SUFFIXES, dtype=object)[(name // 10000) % len(C.NAME_SUFFIXES)]
        names = [f"{x} {y} {z}" for x, y, z in zip(adj, noun, suf, strict=True)]
        return pa.table(
            {
                "account_id": self.acct(o),
                "account_name": pa.array(names, pa.string()),
                "created_at": ts_array(a["csec"][o]),
                "segment": take_str(C.SEGMENTS, a["seg"][o]),
                "industry": take_str(C.INDUSTRIES, a["industry"][o]),
                "region": take_str(C.REGIONS, a["region"][o]),
                "employee_count": pa.array(a["emp"][o], pa.int64()),
                "icp_tier": pa.array(a["icp"][o], pa.int64()),
                "acquisition_channel": take_str(C.CHANNELS, a["channel"][o]),
                "use_case": take_str(C.USE_CASES, a["use_case"][o]),
                "csm_owner": take_str(C.CSM_NAMES, a["csm"][o]),
            },
            schema=SCHEMAS["accounts"],
        )

    # ------------------------------------------------------------------ line items
    def line_items(self) -> pa.Table:
        L = self.sim.lines_all
        o = _sorted([self.acct_rank[L["acct"]], L["start"], L["product"], L["end"]])
        L = {k: v[o] for k, v in L.items()}
        self.lines = L
        k = len(o)
        return pa.table(
            {
                "line_item_id": id_array("L", np.arange(1, k + 1), 8),
                "account_id": self.acct(L["acct"]),
                "product": take_str(C.PRODUCTS, L["product"]),
                "plan": take_str(C.PLANS, L["plan"]),
                "line_type": take_str(C.LINE_TYPES, L["ltype"]),
                "interval_months": pa.array(L["ivl"].astype(np.int64)),
                "start_date": date_array(L["start"]),
                "end_date": date_array(np.maximum(L["end"], 0), L["end"] < 0),
                "quantity": pa.array(L["qty"].astype(np.float64)),
                "unit_price": pa.array(L["price"].astype(np.float64)),
                "discount_pct": pa.array(L["disc"].astype(np.float64)),
                "currency": take_str(C.CURRENCIES, self.a["cur"][L["acct"]]),
            },
            schema=SCHEMAS["subscription_line_items"],
        )

    def fx_rates(self) -> pa.Table:
        cur = list(C.FX_RATES)
        return pa.table(
            {"currency": cur, "rate_to_usd": [C.FX_RATES[c] for c in cur]},
            schema=SCHEMAS["fx_rates"],
        )

    # ------------------------------------------------------------------ users
    def users(self) -> pa.Table:
        sim, n = self.sim, self.n
        st = sim.stints
        n_rec = st.n
        count = st["count"]
        rec_rows = np.repeat(np.arange(n_rec), count)
        j = np.arange(len(rec_rows)) - np.repeat(np.cumsum(count) - count, count)
        s_acct = st["acct"][rec_rows]
        o = np.argsort(s_acct, kind="stable")  # rows already ordered by (rec, j)
        rec_rows, j, s_acct = rec_rows[o], j[o], s_acct[o]
        n_st = np.bincount(s_acct, minlength=n)
        n_eu = sim.eu_hi.copy()
        total = n_st + n_eu
        # accounts ordered by id rank
        tot_by_rank = total[self.acct_order]
        base_by_rank = np.cumsum(tot_by_rank) - tot_by_rank
        base = np.empty(n, np.int64)
        base[self.acct_order] = base_by_rank
        start_of_acct = np.cumsum(n_st) - n_st  # in the acct-sorted stint rows
        pos = np.arange(len(rec_rows)) - start_of_acct[s_acct]
        st_row = base[s_acct] + pos
        self.stint_first_row = np.zeros(max(n_rec, 1), np.int64)
        first = j == 0
        self.stint_first_row[rec_rows[first]] = st_row[first]
        self.eu_base = base + n_st
        N = int(total.sum())
        self.n_users = N
        acct = np.zeros(N, np.int64)
        role = np.zeros(N, np.int64)
        lic = np.zeros(N, bool)
        created = np.zeros(N, np.int64)
        deact = np.full(N, -1, np.int64)
        acct[st_row] = s_acct
        role[st_row] = st["role"][rec_rows]
        lic[st_row] = st["licensed"][rec_rows]
        created[st_row] = st["start"][rec_rows]
        deact[st_row] = st["end"][rec_rows]
        rb = rng_for(sim.seed, "users")
        for chunks, field in (
            (sim.eu_create.concat(), "created"),
            (sim.eu_deact.concat(), "deact"),
        ):
            if len(chunks["acct"]) == 0:
                continue
            ln = chunks["r1"] - chunks["r0"]
            ai = np.repeat(chunks["acct"], ln)
            r = np.repeat(chunks["r0"], ln) + (
                np.arange(ln.sum()) - np.repeat(np.cumsum(ln) - ln, ln)
            )
            rows = self.eu_base[ai] + r
            sec = np.repeat(chunks["sec"], ln) + rb.integers(
                0, END_USER_SPREAD_HOURS * SECONDS_PER_HOUR, len(rows)
            )
            sec = np.minimum(sec, self.end_sec - 1)
            if field == "created":
                acct[rows] = ai
                role[rows] = END_USER
                lic[rows] = True
                created[rows] = sec
            else:
                deact[rows] = sec
        has_d = deact >= 0
        deact = np.where(has_d, np.maximum(deact, created + USER_MARGIN_SEC), -1)
        deact = np.where(has_d, np.minimum(deact, self.end_sec - 1), -1)
        created = np.where(has_d, np.minimum(created, deact - USER_MARGIN_SEC), created)
        self.u_acct, self.u_created = acct, created
        self.u_deact = np.where(has_d, deact, OPEN_SEC)
        self.user_ids = id_array("U", np.arange(1, N + 1), 8)
        self._users_built = True
        return pa.table(
            {
                "user_id": self.user_ids,
                "account_id": self.acct(acct),
                "role": take_str(C.USER_ROLES, role),
                "is_licensed": pa.array(lic),
                "created_at": ts_array(created),
                "deactivated_at": ts_array(np.maximum(deact, 0), ~has_d),
            },
            schema=SCHEMAS["users"],
        )

    def _user_rows(self, acct, rec, j, rank) -> np.ndarray:
        safe = np.maximum(rec, 0)
        return np.where(rec >= 0, self.stint_first_row[safe] + j, self.eu_base[acct] + rank)

    def _clamp_to_user(self, rows: np.ndarray, sec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo = self.u_created[rows] + USER_MARGIN_SEC
        hi = np.minimum(self.u_deact[rows], self.end_sec) - USER_MARGIN_SEC
        ok = lo < hi
        return ok, np.clip(sec, lo, np.maximum(hi, lo))

    # ------------------------------------------------------------------ behaviour tables
    def integrations(self) -> pa.Table:
        d = self.sim.integ.concat()
        o = _sorted([self.acct_rank[d["acct"]], d["conn"], d["k"]])
        d = {k: v[o] for k, v in d.items()}
        return pa.table(
            {
                "account_id": self.acct(d["acct"]),
                "integration_name": take_str(C.INTEGRATION_CATALOGUE, d["k"]),
                "connected_at": ts_array(d["conn"]),
                "disconnected_at": ts_array(np.maximum(d["disc"], 0), d["disc"] < 0),
            },
            schema=SCHEMAS["integrations"],
        )

    def support_tickets(self) -> pa.Table:
        d = self.sim.tickets.concat()
        rows = self._user_rows(d["acct"], d["urec"], d["uj"], d["urank"])
        ok, sec = self._clamp_to_user(rows, d["sec"])
        res = d["resolved"]
        res = np.where(res >= 0, np.maximum(res, sec + MIN_RESOLUTION_SEC), -1)
        res = np.where(res >= self.end_sec, -1, res)
        csat = np.where(res >= 0, d["csat"], -1)
        d = dict(d, sec=sec, resolved=res, csat=csat, rows=rows)
        d = {k: v[ok] for k, v in d.items()}
        o = _sorted([d["sec"], self.acct_rank[d["acct"]]])
        d = {k: v[o] for k, v in d.items()}
        k = len(o)
        ids = id_array("T", np.arange(1, k + 1), 8)
        subjects, bodies = self.voice.tickets(
            ids.to_pylist(),
            d["acct"],
            d["sec"],
            d["topic"],
            d["tone"],
            d["prio"],
            self._competitor_events(),
            self.a["comp"],
        )
        return pa.table(
            {
                "ticket_id": ids,
                "account_id": self.acct(d["acct"]),
                "user_id": self.user_ids.take(pa.array(d["rows"])),
                "created_at": ts_array(d["sec"]),
                "resolved_at": ts_array(np.maximum(d["resolved"], 0), d["resolved"] < 0),
                "priority": take_str(C.PRIORITIES, d["prio"]),
                "subject": pa.array(subjects, pa.string()),
                "body": pa.array(bodies, pa.string()),
                "csat_score": pa.array(np.maximum(d["csat"], 0), pa.int64(), mask=d["csat"] < 0),
            },
            schema=SCHEMAS["support_tickets"],
        )

    def nps_responses(self) -> pa.Table:
        d = self.sim.nps.concat()
        rows = self._user_rows(d["acct"], d["urec"], d["uj"], d["urank"])
        ok, sec = self._clamp_to_user(rows, d["sec"])
        d = {k: v[ok] for k, v in dict(d, sec=sec, rows=rows).items()}
        o = _sorted([d["sec"], self.acct_rank[d["acct"]]])
        d = {k: v[o] for k, v in d.items()}
        k = len(o)
        ids = id_array("N", np.arange(1, k + 1), 8)
        has = d["comment"] >= 0
        texts = self.voice.nps_comments(
            ids.filter(pa.array(has)).to_pylist(),
            d["acct"][has],
            d["sec"][has],
            d["score"][has],
            self.a["comp"],
        )
        comments = np.full(k, None, dtype=object)
        comments[has] = texts
        return pa.table(
            {
                "response_id": ids,
                "account_id": self.acct(d["acct"]),
                "user_id": self.user_ids.take(pa.array(d["rows"])),
                "responded_at": ts_array(d["sec"]),
                "score": pa.array(d["score"], pa.int64()),
                "comment": pa.array(comments, pa.string()),
            },
            schema=SCHEMAS["nps_responses"],
        )

    def feedback_items(self) -> pa.Table:
        d = self.sim.feedback.concat()
        o = _sorted([d["sec"], d["acct"] >= 0, self.acct_rank[np.maximum(d["acct"], 0)], d["body"]])
        d = {k: v[o] for k, v in d.items()}
        k = len(o)
        ids = id_array("F", np.arange(1, k + 1), 8)
        bodies = self.voice.feedback_bodies(
            ids.to_pylist(), d["acct"], d["sec"], d["source"], d["body"] // 10, self.a["comp"]
        )
        acct_ids = self.acct(np.maximum(d["acct"], 0))
        null = pa.array(d["acct"] < 0)
        return pa.table(
            {
                "feedback_id": ids,
                "account_id": pc.if_else(null, pa.scalar(None, pa.string()), acct_ids),
                "source": take_str(C.FEEDBACK_SOURCES, d["source"]),
                "created_at": ts_array(d["sec"]),
                "body": pa.array(bodies, pa.string()),
                "rating": pa.array(np.maximum(d["rating"], 0), pa.int64(), mask=d["rating"] < 0),
            },
            schema=SCHEMAS["feedback_items"],
        )

    def crm_events(self) -> pa.Table:
        d = self.sim.crm.concat()
        sec = np.minimum(d["sec"], self.end_sec - 1)
        d = dict(d, sec=sec)
        o = _sorted([d["sec"], self.acct_rank[d["acct"]], d["etype"]])
        d = {k: v[o] for k, v in d.items()}
        k = len(o)
        ids = id_array("C", np.arange(1, k + 1), 9)
        has = d["details"] >= 0
        comp = d["details"] - C.COMPETITOR_DETAILS_OFFSET
        texts = self.voice.crm_details(
            ids.filter(pa.array(has)).to_pylist(),
            d["etype"][has],
            np.where(comp >= 0, comp, -1)[has],
        )
        details = np.full(k, None, dtype=object)
        details[has] = texts
        return pa.table(
            {
                "crm_event_id": ids,
                "account_id": self.acct(d["acct"]),
                "occurred_at": ts_array(d["sec"]),
                "event_type": take_str(C.CRM_EVENT_TYPES, d["etype"]),
                "contact_role": take_str(C.USER_ROLES, d["role"]),
                "details": pa.array(details, pa.string()),
            },
            schema=SCHEMAS["crm_events"],
        )

    def community_activity(self) -> pa.Table:
        d = self.sim.community.concat()
        rows = self._user_rows(d["acct"], d["urec"], d["uj"], d["urank"])
        ok, sec = self._clamp_to_user(rows, d["sec"])
        d = {k: v[ok] for k, v in dict(d, sec=sec, rows=rows).items()}
        o = _sorted([d["sec"], self.acct_rank[d["acct"]]])
        d = {k: v[o] for k, v in d.items()}
        k = len(o)
        return pa.table(
            {
                "activity_id": id_array("CA", np.arange(1, k + 1), 8),
                "account_id": self.acct(d["acct"]),
                "user_id": self.user_ids.take(pa.array(d["rows"])),
                "occurred_at": ts_array(d["sec"]),
                "activity_type": take_str(C.COMMUNITY_TYPES, d["atype"]),
            },
            schema=SCHEMAS["community_activity"],
        )

    def churn_surveys(self) -> pa.Table:
        d = self.sim.surveys.concat()
        o = _sorted([d["sec"], self.acct_rank[d["acct"]]])
        d = {k: v[o] for k, v in d.items()}
        k = len(o)
        ids = id_array("CS", np.arange(1, k + 1), 7)
        has = d["comment"] >= 0
        # the former second missing_feature comment named fiscal calendars: those rows still do
        fiscal = (d["reason"] == C.SURVEY_REASONS.index("missing_feature")) & (d["comment"] == 1)
        texts = self.voice.survey_comments(
            ids.filter(pa.array(has)).to_pylist(), d["reason"][has], d["comp"][has], fiscal[has]
        )
        comments = np.full(k, None, dtype=object)
        comments[has] = texts
        return pa.table(
            {
                "survey_id": ids,
                "account_id": self.acct(d["acct"]),
                "submitted_at": ts_array(d["sec"]),
                "reason_category": take_str(C.SURVEY_REASONS, d["reason"]),
                "competitor_name": take_str(C.COMPETITORS, d["comp"]),
                "comment": pa.array(comments, pa.string()),
            },
            schema=SCHEMAS["churn_surveys"],
        )

    def cs_activities(self) -> pa.Table:
        d = self.sim.cs_rows.concat()
        o = _sorted([d["sec"], self.acct_rank[d["acct"]], d["atype"], d["owner"]])
        d = {k: v[o] for k, v in d.items()}
        k = len(o)
        ids = id_array("CSA", np.arange(1, k + 1), 8)
        has = d["note"] >= 0
        texts = self.voice.cs_notes(
            ids.filter(pa.array(has)).to_pylist(), d["atype"][has], d["acct"][has], self.a["comp"]
        )
        notes = np.full(k, None, dtype=object)
        notes[has] = texts
        return pa.table(
            {
                "activity_id": ids,
                "account_id": self.acct(d["acct"]),
                "occurred_at": ts_array(d["sec"]),
                "activity_type": take_str(C.CS_ACTIVITY_TYPES, d["atype"]),
                "owner": take_str(CS_OWNERS, d["owner"]),
                "notes": pa.array(notes, pa.string()),
            },
            schema=SCHEMAS["cs_activities"],
        )

    # ------------------------------------------------------------------ invoices
    def invoices(self) -> pa.Table:
        cal, a, L = self.cal, self.a, self.lines
        rng = rng_for(self.sim.seed, "invoices")
        T, P = cal.T, cal.pre
        billable = L["price"] > 0
        idx = np.flatnonzero(billable)
        ivl = L["ivl"][idx]
        s_m = L["start_m"][idx]
        e_m = np.where(L["end_m"][idx] >= 0, L["end_m"][idx], T)
        e_m = np.minimum(e_m, T + ivl)  # open term lines: only the current term
        nper = np.maximum(-(-(e_m - s_m) // ivl), 0)
        li = np.repeat(idx, nper)
        j = np.arange(len(li)) - np.repeat(np.cumsum(nper) - nper, nper)
        k = L["start_m"][li] + L["ivl"][li] * j
        ivl_r = L["ivl"][li]
        e_r = np.repeat(e_m, nper)
        covered = np.minimum(ivl_r, e_r - k)
        amount = L["qty"][li] * L["price"][li] * (1 - L["disc"][li]) * covered / ivl_r
        is_usage = L["ltype"][li] == USAGE_LINE
        amount = np.where(is_usage, amount * rng.uniform(*USAGE_BILL_FACTOR, len(li)), amount)
        acct = L["acct"][li]
        km = np.minimum(k, len(cal.month_start) - 1)
        day = cal.month_start[km] + np.minimum(a["anchor"][acct], cal.month_days[km]) - 1
        keep = (k >= P) & (k < T) & (day <= cal.end_day)
        acct, k, day, amount = acct[keep], k[keep], day[keep], amount[keep]
        o = _sorted([acct, k])
        acct, k, day, amount = acct[o], k[o], day[o], amount[o]
        if len(acct):
            new = np.r_[True, (acct[1:] != acct[:-1]) | (k[1:] != k[:-1])]
            starts = np.flatnonzero(new)
            amount = np.add.reduceat(amount, starts)
            acct, k, day = acct[starts], k[starts], day[starts]
        amount = np.round(amount, 2)
        n_inv = len(acct)
        seg = a["seg"][acct]
        due = day + np.where(seg == 0, INVOICE_DUE_DAYS_SMB, INVOICE_DUE_DAYS)
        smb_lo, smb_hi = SMB_PAYMENT_DELAY_HOURS
        lo_days, hi_days = PAYMENT_DELAY_DAYS
        delay = np.where(
            seg == 0,
            rng.integers(smb_lo * SECONDS_PER_HOUR, smb_hi * SECONDS_PER_HOUR, n_inv),
            rng.integers(lo_days * SECONDS_PER_DAY, hi_days * SECONDS_PER_DAY, n_inv),
        )
        issue_lo, issue_hi = INVOICE_ISSUE_HOUR_RANGE
        issue_sec = day * SECONDS_PER_DAY + rng.integers(
            issue_lo * SECONDS_PER_HOUR, issue_hi * SECONDS_PER_HOUR, n_inv
        )
        paid = issue_sec + delay
        attempts = np.ones(n_inv, np.int64)
        status = np.full(n_inv, PAID, np.int64)
        u = rng.random(n_inv)
        quick = u < RETRY_SHARE
        attempts[quick] = 2
        paid[quick] = (
            issue_sec[quick] + rng.integers(*RETRY_DAYS, int(quick.sum())) * SECONDS_PER_DAY
        )
        # planted payment failures
        pf = self.sim.pay_fail.concat()
        key = acct * (T + 1) + k
        pkey = pf["acct"] * (T + 1) + pf["t"]
        if n_inv:
            pos = np.minimum(np.searchsorted(key, pkey), n_inv - 1)
            hit = key[pos] == pkey
        else:
            pos, hit = np.zeros(len(pkey), np.int64), np.zeros(len(pkey), bool)
        pi, res = pos[hit], pf["res_days"][hit]
        failed = np.zeros(n_inv, bool)
        never = res < 0
        failed[pi[never]] = True
        late = pi[~never]
        paid[late] = (
            issue_sec[late]
            + res[~never] * SECONDS_PER_DAY
            + rng.integers(0, SECONDS_PER_DAY, len(late))
        )
        attempts[pi] = np.where(
            never | (res >= C.PAYMENT_LATE_DAYS[0]),
            rng.integers(*FAILED_ATTEMPTS_RANGE, len(pi)),
            2,
        )
        status[failed] = FAILED
        void = (u > VOID_ABOVE) & ~failed
        refunded = (u > REFUNDED_ABOVE) & (u <= VOID_ABOVE) & ~failed
        status[void] = VOID
        attempts[void] = 0
        status[refunded] = REFUNDED
        late_open = (paid >= self.end_sec) & ((status == PAID) | (status == REFUNDED))
        status[late_open] = np.where(attempts[late_open] > 1, FAILED, OPEN)  # retrying: failed
        attempts[late_open & (seg > 0) & (attempts == 1)] = 0
        paid_null = (
            (status == OPEN) | (status == FAILED) | (status == VOID) | (paid >= self.end_sec)
        )
        # drawn last, so that every other column is the same draw as before voided_at existed
        voided = np.minimum(
            issue_sec + rng.integers(*VOID_AFTER_DAYS, n_inv) * SECONDS_PER_DAY,
            self.end_sec - 1,
        )
        o = _sorted([day, self.acct_rank[acct]])
        cols = dict(
            acct=acct,
            day=day,
            due=due,
            amount=amount,
            status=status,
            paid=paid,
            paid_null=paid_null,
            attempts=attempts,
            voided=voided,
        )
        cols = {c: v[o] for c, v in cols.items()}
        self.invoice_keys = (acct, k, status)
        return pa.table(
            {
                "invoice_id": id_array("INV", np.arange(1, n_inv + 1), 8),
                "account_id": self.acct(cols["acct"]),
                "issued_at": date_array(cols["day"]),
                "due_date": date_array(cols["due"]),
                "amount": pa.array(cols["amount"].astype(np.float64)),
                "currency": take_str(C.CURRENCIES, a["cur"][cols["acct"]]),
                "status": take_str(C.INVOICE_STATUSES, cols["status"]),
                "paid_at": ts_array(
                    np.where(cols["paid_null"], 0, cols["paid"]), cols["paid_null"]
                ),
                "attempt_count": pa.array(cols["attempts"], pa.int64()),
                "voided_at": ts_array(cols["voided"], cols["status"] != VOID),
            },
            schema=SCHEMAS["invoices"],
        )

    # ------------------------------------------------------------------ ground truth
    def ground_truth(self) -> pa.Table:
        sim, o = self.sim, self.acct_order
        churned = sim.status[o] == 2
        last_day = sim.last_churn_day[o]
        reasons = C.CHURN_REASONS
        cols: dict[str, pa.Array] = {
            "account_id": self.acct(o),
            "churn_date": date_array(np.maximum(last_day, 0), ~churned),
            "churn_reason": take_str(reasons, np.where(churned, sim.last_reason[o], -1)),
            "is_reactivated": pa.array(sim.n_react[o] > 0),
            "reactivated_at": date_array(np.maximum(sim.react_day[o], 0), sim.react_day[o] < 0),
            "first_churn_date": date_array(
                np.maximum(sim.first_churn_day[o], 0), sim.first_churn_day[o] < 0
            ),
            "first_churn_reason": take_str(reasons, sim.first_reason[o]),
        }
        for d in C.DRIVERS:
            g = sim.gt[d][o]
            cols[f"has_{d}"] = pa.array(g >= 0)
            cols[f"{d}_at"] = date_array(np.maximum(g, 0), g < 0)
        levels = ["", *C.CS_LEVELS]  # level code 0 = none (null)
        worked = sim.cs_attempted[o] & ~sim.cs_holdout[o]
        saved = sim.cs_saved_level[o]
        cols["is_cs_holdout"] = pa.array(sim.cs_holdout[o])
        cols["cs_save_attempt_level"] = take_str(
            levels, np.where(worked, sim.cs_attempt_level[o], -1)
        )
        cols["cs_save_attempt_touch"] = take_str(
            CS_TOUCH_CLASSES, np.where(worked, sim.cs_attempt_touch[o], -1)
        )
        cols["cs_saved_level"] = take_str(levels, np.where(saved > 0, saved, -1))
        averted = sim.cs_averted_day[o]
        cols["cs_averted_churn_date"] = date_array(np.maximum(averted, 0), averted < 0)
        cols["latent_health_at_end"] = pa.array(np.round(sim.h_end[o], 6).astype(np.float64))
        return pa.table(cols, schema=ground_truth_schema(C.DRIVERS))

    # ------------------------------------------------------------------ usage events
    def usage_events(self, write: Callable[[pa.Table], None]) -> int:
        """Sessions and events month by month; ``write`` receives one Arrow table per month."""
        assert self._users_built
        sim, cal, a, n = self.sim, self.cal, self.a, self.n
        hist = sim.hist
        seg = a["seg"]
        tiers = np.array([t for _, t in C.FEATURE_CATALOGUE])
        tier_idx = [np.flatnonzero(tiers == t) for t in ("core", "advanced", "workflow")]
        feat_names = [f for f, _ in C.FEATURE_CATALOGUE]
        seats_med = np.array(C.SEATS_MEDIAN)[seg]
        base_rate = np.array(SESSION_RATE)[seg]
        ev_counter = 0
        sess_counter = 0
        value_feature = feat_names.index(C.ONBOARDING_VALUE_FEATURE)
        first_value = np.full(n, np.iinfo(np.int64).max)  # first M2 event (manifest)
        for w in range(cal.months):
            t = cal.pre + w
            rng = rng_for(sim.seed, "usage", w)
            lo, hi = hist["lo"][w], hist["hi"][w]
            full = (int(cal.month_days[t])) * SECONDS_PER_DAY
            frac = np.clip(hi - lo, 0, None) / full
            s = hist["s"][w].astype(np.float64)
            um = hist["umult"][w].astype(np.float64)
            seats = hist["seats"][w]
            lam = (
                base_rate
                * (seats / seats_med) ** SESSION_SEATS_ELASTICITY
                * (SESSION_HEALTH_BASE + SESSION_HEALTH_SLOPE * s)
                * um
                * frac
            )
            ns = rng.poisson(lam)
            sa = np.repeat(np.arange(n), ns)
            k = len(sa)
            if k == 0:
                continue
            # user of each session
            champ, spons, adm = hist["champ"][w][sa], hist["sponsor"][w][sa], hist["admin"][w][sa]
            eu_lo, eu_hi = hist["eu_lo"][w][sa], hist["eu_hi"][w][sa]
            role = pick(rng, k, SESSION_USER_MIX)
            avail = np.stack([champ >= 0, spons >= 0, adm >= 0, eu_hi > eu_lo], axis=1)
            ok = avail[np.arange(k), role]
            for r in (END_USER, ADMIN, CHAMPION, SPONSOR):
                role = np.where(~ok & avail[:, r], r, role)
                ok = ok | avail[:, r]
            rec = np.select(
                [role == CHAMPION, role == SPONSOR, role == ADMIN], [champ, spons, adm], -1
            )
            jj = np.where(role == ADMIN, (rng.random(k) * a["n_admin"][sa]).astype(np.int64), 0)
            rank = np.where(
                role == END_USER, eu_lo + (rng.random(k) * (eu_hi - eu_lo)).astype(np.int64), -1
            )
            rows = self._user_rows(sa, rec, jj, rank)
            rows = np.where(ok, rows, 0)
            u_lo = np.maximum(lo[sa], self.u_created[rows])
            u_hi = np.minimum(hi[sa], self.u_deact[rows])
            ok &= (u_hi - u_lo) > MIN_SESSION_WINDOW_SEC
            sa, rows, u_lo, u_hi = sa[ok], rows[ok], u_lo[ok], u_hi[ok]
            k = len(sa)
            start = u_lo + (rng.random(k) * (u_hi - u_lo - SESSION_TAIL_SEC)).astype(np.int64)
            # working hours (around 14:00 UTC) and quieter weekends
            day = start // SECONDS_PER_DAY
            sod = np.where(
                rng.random(k) < WORKING_HOURS_SHARE,
                rng.normal(
                    WORKING_HOURS_MEAN_HOUR * SECONDS_PER_HOUR,
                    WORKING_HOURS_SD_HOURS * SECONDS_PER_HOUR,
                    k,
                ),
                rng.random(k) * SECONDS_PER_DAY,
            )
            sod = np.clip(sod, 0, SECONDS_PER_DAY - 1).astype(np.int64)
            start = np.clip(day * SECONDS_PER_DAY + sod, u_lo, u_hi - SESSION_TAIL_SEC)
            weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; 5, 6 = Saturday, Sunday
            keep = (weekday < 5) | (rng.random(k) < WEEKEND_SESSION_SHARE)
            sa, rows, u_lo, u_hi, start = sa[keep], rows[keep], u_lo[keep], u_hi[keep], start[keep]
            k = len(sa)
            ss = s[sa]
            depth = EVENTS_PER_SESSION_BASE + EVENTS_PER_SESSION_HEALTH_SLOPE * ss * np.sqrt(um[sa])
            ne = 1 + rng.poisson(depth)
            sess_ids = sess_counter + np.arange(k)
            sess_counter += k
            ev_s = np.repeat(np.arange(k), ne)
            m = len(ev_s)
            first = np.cumsum(ne) - ne
            gaps = rng.exponential(EVENT_GAP_MEAN_SEC, m).astype(np.int64) + EVENT_GAP_MIN_SEC
            gaps[first] = 0
            cs = np.cumsum(gaps)
            off = cs - np.repeat(cs[first], ne)
            occ = np.minimum(start[ev_s] + off, u_hi[ev_s] - 1)
            # feature: breadth and depth shrink with health
            se = ss[ev_s]
            ume = um[sa][ev_s]
            p_adv = ADVANCED_SHARE_BASE + ADVANCED_SHARE_SLOPE * se**2
            p_wf = (WORKFLOW_SHARE_BASE + WORKFLOW_SHARE_SLOPE * se**2) * np.minimum(1.0, ume)
            wts = np.stack([1.0 - p_adv - p_wf, p_adv, p_wf], axis=1)
            tier = pick_rows(rng, wts)
            breadth = FEATURE_BREADTH_BASE + FEATURE_BREADTH_SLOPE * se
            feat = np.zeros(m, np.int64)
            for ti, members in enumerate(tier_idx):
                sel = tier == ti
                kk = np.maximum(np.ceil(breadth[sel] * len(members)), 1)
                pos = (rng.random(int(sel.sum())) ** FEATURE_POPULARITY_SKEW * kk).astype(np.int64)
                feat[sel] = members[np.minimum(pos, len(members) - 1)]
            order = np.lexsort((np.arange(m), occ))
            occ, ev_s, feat = occ[order], ev_s[order], feat[order]
            acct_e = sa[ev_s]
            user_e = rows[ev_s]
            is_value = feat == value_feature
            np.minimum.at(first_value, acct_e[is_value], occ[is_value])
            tbl = pa.table(
                {
                    "event_id": id_array("E", ev_counter + 1 + np.arange(m), 10),
                    "account_id": self.acct(acct_e),
                    "user_id": self.user_ids.take(pa.array(user_e)),
                    "occurred_at": ts_array(occ),
                    "feature": take_str(feat_names, feat),
                    "session_id": id_array("S", sess_ids[ev_s] + 1, 9),
                },
                schema=SCHEMAS["usage_events"],
            )
            ev_counter += m
            write(tbl)
        # the onboarding events of new accounts (their own stream: onboarding.py)
        rows, m2_emitted = onboarding.events(self, ev_counter, sess_counter)
        m2_emitted = np.where(m2_emitted >= 0, m2_emitted, np.iinfo(np.int64).max)
        self.m2_first = np.minimum(first_value, m2_emitted)
        tbl = onboarding.to_table(self, rows, ev_counter, sess_counter, SCHEMAS["usage_events"])
        ev_counter += tbl.num_rows
        write(tbl)
        return ev_counter


def behaviour_tables(b: Builder) -> dict[str, pa.Table]:
    return {
        "integrations": b.integrations(),
        "support_tickets": b.support_tickets(),
        "nps_responses": b.nps_responses(),
        "feedback_items": b.feedback_items(),
        "crm_events": b.crm_events(),
        "community_activity": b.community_activity(),
        "churn_surveys": b.churn_surveys(),
        "cs_activities": b.cs_activities(),
    }
