"""Customer-success activity: risk episodes, the holdout, CS touches and the planted save effect.

Every month of the window the CS team looks at the paying accounts' risk health (the latent
health's sigmoid, lowered while a churn intent is open or a driver's onset is recent) and puts
each account at one of three risk levels, or none (``CS_LEVELS``). An account entering a level,
or a higher one, opens an episode; the first touch follows after a delay drawn per level (on
time within the SLA, late, or never), then follow-ups while the episode stays open. Accounts at
no level get some routine activity. Accounts of the holdout (``interventions.holdout_bucket``)
are never worked: no rows, no saves.

The planted effect: when a worked account at a level has a pending churn intent (not an
involuntary one: ``CS_UNSAVED_REASONS``), the CS team saves it with
``CS_SAVE_PROBABILITY[level]`` (halved for a late touch, nil when never touched or touched after
the churn date). One attempt per account: its first such intent. A save cancels the intent and
lifts the latent health; it takes effect in the month of the first touch.

Every draw here comes from the account's own stream ``self.rcs`` (``rng_for(seed,
"cs_activity")``): no draw of the other streams is added or moved. A save changes the state
(the intent, the health), so the later path of a saved account differs, and draws of the other
streams sized by a subset of accounts then shift for other accounts too.
"""

from __future__ import annotations

import numpy as np

from ..interventions import is_holdout
from . import constants as C
from .io import account_ids
from .state import PAYING, REASON, SimulationState
from .util import SECONDS_PER_DAY, SECONDS_PER_HOUR, Chunks, pick_rows, sigmoid

NO_LEVEL = 0
EARLY_WARNING, ACTIVE_SAVE, EXECUTIVE_ESCALATION = 1, 2, 3
#: first-touch timeliness codes (index into TOUCH_CLASSES)
TOUCH_CLASSES = ["on_time", "late", "never", "after_churn"]
ON_TIME, LATE, NEVER, AFTER_CHURN = range(4)
ATYPE = {a: i for i, a in enumerate(C.CS_ACTIVITY_TYPES)}
N_CSM = len(C.CSM_NAMES)
#: owner bank: csm_1..csm_N, then the save owners, then the executive owners
OWNERS = [
    *(f"{C.CS_CSM_OWNER_PREFIX}{i + 1}" for i in range(N_CSM)),
    *C.CS_SAVE_OWNERS,
    *C.CS_EXECUTIVE_OWNERS,
]
SAVE_OWNER_OFFSET = N_CSM
EXECUTIVE_OWNER_OFFSET = N_CSM + len(C.CS_SAVE_OWNERS)
N_NOTES = C.CS_NOTE_DRAWS
ROUTINE_TYPES = list(C.CS_ROUTINE_RATE_MONTHLY)


def _by_level(values: dict[str, object]) -> np.ndarray:
    """A per-level constant as an array indexed by level code (index 0: no level)."""
    rows = [values[lv] for lv in C.CS_LEVELS]
    first = np.asarray(rows[0], dtype=float)
    return np.concatenate([np.zeros((1, *first.shape)), np.asarray(rows, dtype=float)])


SAVE_P = _by_level(C.CS_SAVE_PROBABILITY)
SLA_SEC = _by_level(C.CS_SLA_HOURS) * SECONDS_PER_HOUR
TOUCH_MIX = _by_level(C.CS_FIRST_TOUCH_MIX)
FIRST_TYPE_MIX = _by_level(C.CS_FIRST_TOUCH_TYPE_MIX)
FOLLOW_TYPE_MIX = _by_level(C.CS_FOLLOW_UP_TYPE_MIX)
FOLLOW_RATE = _by_level(C.CS_FOLLOW_UP_RATE_MONTHLY)
#: save probability factor by touch class
TOUCH_SAVE_FACTOR = np.array([1.0, C.CS_LATE_TOUCH_SAVE_FACTOR, 0.0, 0.0])
SAVED_LATENT_HEALTH = float(np.log(C.CS_SAVED_HEALTH / (1.0 - C.CS_SAVED_HEALTH)))
UNSAVED_REASONS = np.array([REASON[r] for r in C.CS_UNSAVED_REASONS], dtype=np.int64)


class CsActivityMixin(SimulationState):
    """Risk levels, episodes, CS activity rows and saves (own stream ``self.rcs``)."""

    rcs: np.random.Generator

    def _init_cs(self) -> None:
        n, K = self.n, C.CS_TREND_MONTHS
        ids = account_ids(self.a["csec"]).to_pylist()
        self.cs_holdout = np.array(
            [is_holdout(x, C.CS_HOLDOUT_SHARE, C.CS_HOLDOUT_SALT) for x in ids], dtype=bool
        )
        self.cs_ring = np.ones((K, n))  # risk health of the last K months
        # open episode per account
        self.ep_level = np.zeros(n, np.int8)
        self.ep_touch = np.full(n, -1, np.int64)  # second of the first touch, -1 none
        self.ep_class = np.full(n, -1, np.int64)
        self.ep_owner = np.full(n, -1, np.int64)
        # the save attempt (once per account), a pending save, the save itself
        self.cs_attempted = np.zeros(n, bool)
        self.cs_attempt_level = np.zeros(n, np.int8)
        self.cs_attempt_touch = np.full(n, -1, np.int64)
        self.cs_pending_m = np.full(n, -1, np.int64)
        self.cs_pending_day = np.full(n, -1, np.int64)
        self.cs_saved_level = np.zeros(n, np.int8)
        self.cs_averted_day = np.full(n, -1, np.int64)
        # holdout accounts: the save they would have had (for measurement, never applied)
        self.cs_shadow_level = np.zeros(n, np.int8)
        self.cs_shadow_day = np.full(n, -1, np.int64)
        self.cs_rows = Chunks("acct", "sec", "atype", "owner", "note")
        self.cs_episodes = Chunks("acct", "t", "level", "cls", "start", "touch")
        self.cs_level_counts = np.zeros((self.cal.months, 1 + len(C.CS_LEVELS)), np.int64)

    # ------------------------------------------------------------------ saves
    def _cs_apply_saves(self, t: int) -> None:
        """Saves whose first touch falls in month t take effect before churns execute."""
        due = np.flatnonzero(self.cs_pending_m == t)
        if len(due) == 0:
            return
        self.cs_pending_m[due] = -1
        ok = due[(self.status[due] == PAYING) & (self.intent_exec[due] >= t)]
        self._cs_save(ok, self.cs_attempt_level[ok], self.cs_pending_day[ok])

    def _cs_save(self, idx: np.ndarray, level: np.ndarray, averted_day: np.ndarray) -> None:
        self.intent_exec[idx] = -1
        self.intent_m[idx] = -1
        self.intent_reason[idx] = -1
        self.h[idx] = np.maximum(self.h[idx], SAVED_LATENT_HEALTH)
        self.cs_saved_level[idx] = level
        self.cs_averted_day[idx] = averted_day

    # ------------------------------------------------------------------ the month
    def _cs_month(self, t: int, win: bool) -> None:
        """End of month t: risk levels, episodes, activity rows and save attempts."""
        level, risk = self._cs_levels(t)
        self.cs_ring[t % C.CS_TREND_MONTHS] = risk
        if not win:
            return
        paying = self.status == PAYING
        w = t - self.cal.pre
        self.cs_level_counts[w] = np.bincount(level[paying], minlength=1 + len(C.CS_LEVELS))
        self.ep_level[level == NO_LEVEL] = NO_LEVEL  # episodes close when the risk is gone
        self._cs_follow_ups(np.flatnonzero(self.ep_level > NO_LEVEL), t)
        new = np.flatnonzero(level > self.ep_level)  # a new risk, or a higher level
        self._cs_open_episodes(new, level[new], t)
        self._cs_routine(np.flatnonzero(paying & (level == NO_LEVEL) & ~self.cs_holdout), t)
        self._cs_attempts(t)

    def _cs_levels(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Risk level (0 = none) and risk health of every account at the end of month t."""
        s = sigmoid(self.h)
        recent = np.zeros(self.n, bool)
        for onset in (self.champ_m, self.ud_m, self.pay_m, self.comp_m):
            recent |= (t - onset) < C.CS_DRIVER_RISK_MONTHS
        risk = (
            s
            - C.CS_INTENT_RISK_PENALTY * (self.intent_exec >= 0)
            - C.CS_DRIVER_RISK_PENALTY * recent
        )
        below = C.CS_RISK_HEALTH_BELOW
        trend = risk - self.cs_ring[t % C.CS_TREND_MONTHS]  # against K months ago
        to_renewal = self.term_end - t
        renewal_close = (
            (self.interval > 1) & (to_renewal >= 0) & (to_renewal <= C.CS_RENEWAL_CLOSE_MONTHS)
        )
        level = np.zeros(self.n, np.int8)
        level[(risk < below["early_warning"]) & (trend <= -C.CS_TREND_DROP)] = EARLY_WARNING
        level[risk < below["active_save"]] = ACTIVE_SAVE
        level[
            (risk < below["executive_escalation"])
            | (renewal_close & (risk < below["early_warning"]))
        ] = EXECUTIVE_ESCALATION
        level[self.status != PAYING] = NO_LEVEL
        return level, risk

    def _cs_owner(self, idx: np.ndarray, level: np.ndarray) -> np.ndarray:
        """Owner code: the account's CSM (or one of the pool), senior CS or executive."""
        rcs, k = self.rcs, len(idx)
        csm = self.a["csm"][idx]
        pool = rcs.integers(0, N_CSM, k)
        save = SAVE_OWNER_OFFSET + pick_rows(rcs, np.tile(C.CS_SAVE_OWNER_MIX, (k, 1)))
        exe = EXECUTIVE_OWNER_OFFSET + pick_rows(rcs, np.tile(C.CS_EXECUTIVE_OWNER_MIX, (k, 1)))
        return np.select(
            [level == EXECUTIVE_ESCALATION, level == ACTIVE_SAVE],
            [exe, save],
            np.where(csm >= 0, csm, pool),
        )

    def _cs_emit(self, idx, sec, atype, owner) -> None:
        """Activity rows (holdout never; only inside the history and after creation)."""
        rcs, k = self.rcs, len(idx)
        note = np.where(rcs.random(k) < C.CS_NOTES_SHARE, rcs.integers(0, N_NOTES, k), -1)
        keep = (~self.cs_holdout[idx]) & (sec >= 0) & (sec < self.cal.end_sec)
        keep &= sec >= self.a["csec"][idx]
        self.cs_rows.add(
            acct=idx[keep], sec=sec[keep], atype=atype[keep], owner=owner[keep], note=note[keep]
        )

    def _cs_open_episodes(self, idx: np.ndarray, level: np.ndarray, t: int) -> None:
        """New episodes: start, first-touch timeliness and delay, owner, the first touch."""
        rcs, k = self.rcs, len(idx)
        if k == 0:
            return
        start = self._rand_sec(rcs, idx, t)
        cls = pick_rows(rcs, TOUCH_MIX[level])
        sla = SLA_SEC[level].astype(np.int64)
        on_time = (rcs.random(k) * sla).astype(np.int64)
        lo_d, hi_d = C.CS_LATE_TOUCH_DAYS
        late = sla + rcs.integers(lo_d * SECONDS_PER_DAY, hi_d * SECONDS_PER_DAY, k)
        touch = np.select([cls == ON_TIME, cls == LATE], [start + on_time, start + late], -1)
        touch = np.where(touch >= self.cal.end_sec, -1, touch)  # not touched by end-date
        owner = self._cs_owner(idx, level)
        atype = pick_rows(rcs, FIRST_TYPE_MIX[level])
        self.ep_level[idx] = level
        self.ep_touch[idx] = touch
        self.ep_class[idx] = cls
        self.ep_owner[idx] = owner
        self.cs_episodes.add(
            acct=idx, t=np.full(k, t), level=level, cls=cls, start=start, touch=touch
        )
        self._cs_emit(idx, touch, atype, owner)

    def _cs_follow_ups(self, idx: np.ndarray, t: int) -> None:
        """Follow-ups of open episodes (opened before month t), after their first touch."""
        rcs = self.rcs
        lo, hi = self.cal.month_sec(t)
        idx = idx[(self.ep_touch[idx] >= 0) & (self.ep_touch[idx] + SECONDS_PER_HOUR < hi)]
        cnt = rcs.poisson(FOLLOW_RATE[self.ep_level[idx]])
        rows = np.repeat(idx, cnt)
        k = len(rows)
        if k == 0:
            return
        start = np.maximum(lo, self.ep_touch[rows] + SECONDS_PER_HOUR)
        sec = start + (rcs.random(k) * (hi - start)).astype(np.int64)
        atype = pick_rows(rcs, FOLLOW_TYPE_MIX[self.ep_level[rows]])
        self._cs_emit(rows, sec, atype, self.ep_owner[rows])

    def _cs_routine(self, idx: np.ndarray, t: int) -> None:
        """Routine check-ins, QBRs and trainings of accounts at no risk level."""
        rcs = self.rcs
        seg = self.a["seg"][idx]
        for name in ROUTINE_TYPES:
            cnt = rcs.poisson(np.array(C.CS_ROUTINE_RATE_MONTHLY[name])[seg])
            rows = np.repeat(idx, cnt)
            if len(rows) == 0:
                continue
            sec = self._rand_sec(rcs, rows, t)
            owner = self._cs_owner(rows, np.full(len(rows), NO_LEVEL))
            self._cs_emit(rows, sec, np.full(len(rows), ATYPE[name]), owner)

    def _cs_attempts(self, t: int) -> None:
        """Save attempts: an account at a level whose churn (due inside the history, not of a
        reason in ``CS_UNSAVED_REASONS``) is pending."""
        cal, a = self.cal, self.a
        ie = self.intent_exec
        cand = (
            (self.status == PAYING)
            & (self.ep_level > NO_LEVEL)
            & (ie > t)
            & ~self.cs_attempted
            & ~np.isin(self.intent_reason, UNSAVED_REASONS)
        )
        idx = np.flatnonzero(cand)
        m = np.minimum(ie[idx], len(cal.month_start) - 1)
        due_day = cal.month_start[m] + np.minimum(a["anchor"][idx], cal.month_days[m]) - 1
        inside = due_day <= cal.end_day
        idx, due_day = idx[inside], due_day[inside]
        k = len(idx)
        if k == 0:
            return
        level = self.ep_level[idx]
        touch = self.ep_touch[idx]
        cls = np.where(touch < 0, NEVER, self.ep_class[idx])
        cls = np.where((cls != NEVER) & (touch >= due_day * SECONDS_PER_DAY), AFTER_CHURN, cls)
        saved = self.rcs.random(k) < SAVE_P[level] * TOUCH_SAVE_FACTOR[cls]
        self.cs_attempted[idx] = True
        self.cs_attempt_level[idx] = level
        self.cs_attempt_touch[idx] = cls
        hold = self.cs_holdout[idx]
        shadow = saved & hold
        self.cs_shadow_level[idx[shadow]] = level[shadow]
        self.cs_shadow_day[idx[shadow]] = due_day[shadow]
        worked = ~hold
        s_idx, s_day, s_touch = idx[saved & worked], due_day[saved & worked], touch[saved & worked]
        touch_m = cal.month_of_day(s_touch // SECONDS_PER_DAY)
        now = touch_m <= t
        self._cs_save(s_idx[now], self.cs_attempt_level[s_idx[now]], s_day[now])
        later = s_idx[~now]
        self.cs_pending_m[later] = touch_m[~now]
        self.cs_pending_day[later] = s_day[~now]
