"""Feedback text: varied wording composed from independent parts, with planted theme effects.

Every text the generator writes (support tickets, NPS comments, feedback items, churn-survey
comments, CS-activity notes, CRM details) is built here, after the simulation, from the rows the
simulation produced. For each text: pick its themes and tone from what the row says (ticket
topic and frustration, NPS score, feedback sentiment, survey reason, activity type), plant the
theme effects of ``constants.FEEDBACK_THEME_EFFECTS`` (an account about to churn, contract or
expand mentions a theme more often in a window before the event), then compose the text from an
opener, one core per theme (``feedback_banks.CORES``: templates with slots), hedges, connectors
and closers. All draws come from streams of their own (``rng_for(seed, "feedback_...")``), so
the other tables, and every non-text column, are the same as without this module.

The true themes and tone of every text are kept apart from the raw tables (a real export has no
labels): ``Voice.truth()`` is written to ``feedback_truth.<ext>`` and ``Voice.effects()`` to the
manifest's ``feedback_theme_effects``.
"""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa

from . import constants as C
from . import feedback_banks as B
from .util import SECONDS_PER_DAY, rng_for

THEMES = [
    "ux",
    "performance",
    "reliability",
    "missing_feature",
    "pricing",
    "billing",
    "onboarding",
    "support",
    "integrations",
    "competitor",
    "praise",
]
THEME_ORDER = {t: i for i, t in enumerate(THEMES)}
TONES = ["positive", "neutral", "negative", "urgent"]
COMPLAINTS = THEMES[:-1]
#: how often each complaint theme is the subject of a complaint that has no other cue
COMPLAINT_WEIGHTS = np.array([0.14, 0.12, 0.12, 0.14, 0.12, 0.05, 0.08, 0.1, 0.09, 0.04])
#: support-ticket topic (constants.TICKET_TOPICS) -> (themes, weights) of the ticket's main theme
TOPIC_THEMES = {
    "billing": (["billing", "pricing"], [0.85, 0.15]),
    "onboarding": (["onboarding"], [1.0]),
    "bug": (["reliability", "ux"], [0.75, 0.25]),
    "how_to": (["ux", "onboarding"], [0.7, 0.3]),
    "integration": (["integrations"], [1.0]),
    "performance": (["performance"], [1.0]),
    "feature_request": (["missing_feature"], [1.0]),
    "access": (["reliability", "ux"], [0.5, 0.5]),
}
#: tickets: a frustrated ticket also complains about support; any ticket raises a second issue;
#: a feature request of an account that mentioned a competitor (CRM) in the last days names it
TICKET_SUPPORT_SHARE_FRUSTRATED = 0.2
TICKET_SECOND_THEME_SHARE = 0.1
TICKET_COMPETITOR_DAYS = 180
TICKET_COMPETITOR_SHARE = 0.5
TICKET_COMPETITOR_SHARE_OTHER = 0.03
#: a frustrated ticket reads as urgent with this probability, by priority (constants.PRIORITIES)
URGENT_SHARE_BY_PRIORITY = [0.0, 0.1, 0.45, 0.85]
#: the wording: hedges, typos, lower-case writing, how often a complaint is intensified
HEDGE_SHARE = 0.12
TYPO_SHARE = 0.04
LOWERCASE_SHARE = {"social": 0.5, "community": 0.15}
INTENSIFY_SHARE = 0.5
#: the source tables whose rows carry the planted theme effects (texts written by customers)
EFFECT_TABLES = ["support_tickets", "nps_responses", "feedback_items"]


# --- events the effects are planted before ---------------------------------------------------
def arr_events(lines: dict[str, np.ndarray], end_day: int) -> dict[str, tuple[np.ndarray, ...]]:
    """Churn, contraction and expansion days per account from the line items (the ARR rules of
    docs/definitions.md: recurring lines, start <= day < end); events after end_day are dropped.
    Returns {outcome: (account index, day)}."""
    rec = (lines["ltype"] == 0) & (lines["price"] > 0)
    acct = lines["acct"][rec]
    qty, price, disc, ivl = (lines[c][rec] for c in ("qty", "price", "disc", "ivl"))
    arr = qty * price * (1 - disc) * 12 / ivl
    start, end = lines["start"][rec], lines["end"][rec]
    ends = end >= 0
    ev_acct = np.concatenate([acct, acct[ends]])
    ev_day = np.concatenate([start, end[ends]])
    ev_delta = np.concatenate([arr, -arr[ends]])
    o = np.lexsort((ev_day, ev_acct))
    ev_acct, ev_day, ev_delta = ev_acct[o], ev_day[o], ev_delta[o]
    # one change per (account, day): a renewal ending one line and starting the next is no event
    new_key = np.ones(len(o), bool)
    new_key[1:] = (ev_acct[1:] != ev_acct[:-1]) | (ev_day[1:] != ev_day[:-1])
    grp = np.cumsum(new_key) - 1
    delta = np.bincount(grp, weights=ev_delta)
    g_acct, g_day = ev_acct[new_key], ev_day[new_key]
    first = np.ones(len(g_acct), bool)
    first[1:] = g_acct[1:] != g_acct[:-1]
    # running ARR per account: the global running sum minus its value before the account
    csum = np.cumsum(delta)
    start = np.maximum.accumulate(np.where(first, np.arange(len(csum)), 0))
    offset = np.where(start > 0, csum[np.maximum(start - 1, 0)], 0.0)
    after = np.round(csum - offset, 2)
    before = np.round(csum - offset - delta, 2)
    keep = g_day <= end_day
    kinds = {
        "churn": (before > 0) & (after <= 0),
        "contraction": (before > 0) & (after > 0) & (after < before),
        "expansion": (before > 0) & (after > before),
    }
    return {k: (g_acct[m & keep], g_day[m & keep]) for k, m in kinds.items()}


def in_window(acct: np.ndarray, day: np.ndarray, events, window: list[int]) -> np.ndarray:
    """Rows whose day lies window[0]..window[1] days (inclusive) before an event of the account."""
    ev_acct, ev_day = events
    out = np.zeros(len(acct), bool)
    if len(ev_acct) == 0 or len(acct) == 0:
        return out
    o = np.lexsort((ev_day, ev_acct))
    ev_acct, ev_day = ev_acct[o], ev_day[o]
    lo, hi = window
    # the first event of the account on or after day + lo is the only candidate
    key_ev = ev_acct.astype(np.int64) * (1 << 32) + ev_day
    key_row = acct.astype(np.int64) * (1 << 32) + day + lo
    i = np.searchsorted(key_ev, key_row)
    ok = (i < len(ev_acct)) & (acct >= 0)
    i = np.minimum(i, len(ev_acct) - 1)
    gap = ev_day[i] - day
    return ok & (ev_acct[i] == acct) & (gap >= lo) & (gap <= hi)


# --- composition -------------------------------------------------------------------------------
class Draws:
    """The choices of a table's texts: a Mersenne Twister seeded from the book's stream (only
    ``random()`` is used, whose sequence Python guarantees for a given seed)."""

    __slots__ = ("f",)

    def __init__(self, seed: int) -> None:
        self.f = random.Random(seed).random

    def pick(self, seq):
        return seq[int(self.f() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.f() < p

    def weighted(self, items, weights) -> str:
        x, acc = self.f() * sum(weights), 0.0
        for item, w in zip(items, weights, strict=True):
            acc += w
            if x < acc:
                return item
        return items[-1]


FEATURES = [w for name, _tier in C.FEATURE_CATALOGUE for w in B.FEATURE_WORDS[name]]
INTEGRATIONS = [B.INTEGRATION_WORDS[name] for name in C.INTEGRATION_CATALOGUE]
COMPETITOR_ALIASES = [B.COMPETITOR_WORDS[name] for name in C.COMPETITORS]
WISHES_NO_FISCAL = [w for w in B.WISHES if "fiscal" not in w]


class Slots(dict):
    """Fills template slots on demand; remembers the competitor it named."""

    def __init__(self, d: Draws, competitor: int = -1, fiscal: bool = True) -> None:
        super().__init__()
        self.d = d
        self.competitor = competitor
        self.named: int = -1
        self.fiscal = fiscal

    def __missing__(self, key: str) -> str:
        d = self.d
        if key in ("feature", "integration"):
            # one product area and one integration per text: the subject and body agree
            self[key] = d.pick(FEATURES) if key == "feature" else d.pick(d.pick(INTEGRATIONS))
            return self[key]
        if key == "integration2":
            return d.pick(d.pick([x for x in INTEGRATIONS if self["integration"] not in x]))
        if key == "competitor":
            k = self.competitor if self.competitor >= 0 else int(d.f() * len(C.COMPETITORS))
            self.named = k
            return d.pick(COMPETITOR_ALIASES[k])
        if key == "wish":
            return fill(d.pick(B.WISHES if self.fiscal else WISHES_NO_FISCAL), self)
        if key in ("role", "role_ext"):
            return d.pick(B.CALL_ROLES if key == "role_ext" else B.ROLES)
        bank = {
            "n": B.NUMBERS,
            "big": B.BIG_NUMBERS,
            "dur": B.DURATIONS,
            "wait": B.WAITS,
            "pct": B.PERCENTS,
            "when": B.MOMENTS,
            "money": B.MONEY,
        }[key]
        return d.pick(bank)


def fill(template: str, slots: Slots) -> str:
    return template.format_map(slots) if "{" in template else template


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def upper_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def typo(s: str, d: Draws) -> str:
    """Swap two letters of one longer word: people type fast."""
    words = s.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long:
        return s
    i = d.pick(long)
    w = words[i]
    j = 1 + int(d.f() * (len(w) - 3))
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def core(theme: str, d: Draws, slots: Slots, hedge: bool = False) -> str:
    s = fill(d.pick(B.CORES[theme]), slots)
    if hedge and theme != "praise":
        s = f"{d.pick(B.HEDGES)} {lower_first(s)}"
    return s


def concern(theme: str, d: Draws, slots: Slots) -> str:
    return fill(d.pick(B.CONCERNS[theme]), slots)


def body_of(themes: list[str], tone: str, d: Draws, slots: Slots) -> list[str]:
    """The sentences about the themes: praise first, then the complaints, joined naturally."""
    praise = "praise" in themes
    complaints = [t for t in themes if t != "praise"]
    out = []
    if praise:
        out.append(core("praise", d, slots))
    for i, t in enumerate(complaints):
        s = core(t, d, slots, hedge=tone == "neutral" and d.chance(HEDGE_SHARE))
        if i == 0 and praise:
            s = f"{d.pick(B.TURNS)} {lower_first(s)}"
        elif i > 0:
            s = f"{d.pick(['Also,', 'On top of that,', 'And', 'Plus'])} {lower_first(s)}"
        out.append(s)
    return out


def finish(parts: list[str], d: Draws, lowercase: float = 0.0) -> str:
    text = " ".join(p for p in parts if p)
    if d.chance(TYPO_SHARE):
        text = typo(text, d)
    if lowercase and d.chance(lowercase):
        text = text.lower()
    return text


# --- theme choice ------------------------------------------------------------------------------
def complaint(d: Draws, exclude: tuple[str, ...] = ()) -> str:
    w = [0.0 if t in exclude else x for t, x in zip(COMPLAINTS, COMPLAINT_WEIGHTS, strict=True)]
    return d.weighted(COMPLAINTS, w)


def ordered(themes: list[str]) -> list[str]:
    seen: list[str] = []
    for t in themes:
        if t not in seen:
            seen.append(t)
    return seen


class Voice:
    """Writes the texts of one book and keeps their truth and the realised theme effects."""

    def __init__(self, seed: int, lines: dict[str, np.ndarray], end_day: int) -> None:
        self.seed = seed
        self.events = arr_events(lines, end_day)
        self._truth: dict[str, list] = {c: [] for c in TRUTH_SCHEMA.names}
        # per effect, over the source tables: texts and mentions in and outside the window
        self._tally: dict[int, dict] = {
            i: {
                "in": [0, 0],
                "out": [0, 0],
                "base_in": 0,
                "accounts_in": set(),
                "accounts_mentioning": set(),
            }
            for i in range(len(C.FEEDBACK_THEME_EFFECTS))
        }

    def _draws(self, table: str) -> tuple[Draws, Draws]:
        """Two walks per table: the themes and tones, then the wording (planting a theme changes
        how many draws a text's wording takes, never the themes of the other texts)."""
        seeds = rng_for(self.seed, f"feedback_text:{table}").integers(0, 2**63, 2)
        return Draws(int(seeds[0])), Draws(int(seeds[1]))

    def _plant(self, table, acct, sec, themes) -> None:
        """Add each effect's theme to texts in its window that lack it, at the rate that brings
        the window's mention share to rate_multiplier times the share outside (in this table).
        A natural difference (churners write more frustrated tickets) counts towards it; when
        it already exceeds the multiplier nothing is added."""
        k = len(acct)
        if table not in EFFECT_TABLES or k == 0:
            return
        day = np.asarray(sec) // SECONDS_PER_DAY
        known = acct >= 0
        u = rng_for(self.seed, f"feedback_effects:{table}").random(
            (k, len(C.FEEDBACK_THEME_EFFECTS))
        )
        for i, eff in enumerate(C.FEEDBACK_THEME_EFFECTS):
            theme, m = eff["theme"], eff["rate_multiplier"]
            win = known & in_window(acct, day, self.events[eff["outcome"]], eff["window_days"])
            out = known & ~win
            has = np.array([theme in t for t in themes], bool)
            self._tally[i]["base_in"] += int((win & has).sum())
            if not (win.any() and out.any()):
                continue
            q_out, q_in = has[out].mean(), has[win].mean()
            # q_in + (1 - q_in) r = m q_out
            r = float(np.clip((m * q_out - q_in) / (1 - q_in), 0, 1)) if q_in < 1 else 0.0
            for j in np.flatnonzero(win & ~has & (u[:, i] < r)):
                themes[j] = ordered([*themes[j], theme])

    def _count(self, table, acct, sec, themes) -> None:
        if table not in EFFECT_TABLES:
            return
        day = np.asarray(sec) // SECONDS_PER_DAY
        known = acct >= 0
        for i, eff in enumerate(C.FEEDBACK_THEME_EFFECTS):
            win = in_window(acct, day, self.events[eff["outcome"]], eff["window_days"])
            has = np.array([eff["theme"] in t for t in themes], bool)
            tal = self._tally[i]
            tal["in"][0] += int((known & win).sum())
            tal["in"][1] += int((known & win & has).sum())
            tal["out"][0] += int((known & ~win).sum())
            tal["out"][1] += int((known & ~win & has).sum())
            tal["accounts_in"].update(acct[known & win].tolist())
            tal["accounts_mentioning"].update(acct[known & win & has].tolist())

    def _keep(self, table, ids, themes, tones, named) -> None:
        """The truth of each text; a text is mixed when it praises and also raises an issue."""
        t = self._truth
        t["source_table"] += [table] * len(ids)
        t["row_id"] += ids
        order = THEME_ORDER.__getitem__
        t["themes"] += ["|".join(sorted(th, key=order)) for th in themes]
        t["tone"] += tones
        t["is_mixed"] += ["praise" in th and len(th) > 1 for th in themes]
        t["competitor"] += [C.COMPETITORS[c] if c >= 0 else None for c in named]

    # ------------------------------------------------------------------ support tickets
    def tickets(self, ids, acct, sec, topic, frustrated, prio, comp_events, competitor):
        """(subjects, bodies) of the tickets. ``comp_events`` are (account, day) of the CRM
        competitor mentions; ``competitor`` is each account's competitor index."""
        k = len(ids)
        d_theme, d_words = self._draws("support_tickets")
        day = np.asarray(sec) // SECONDS_PER_DAY
        comp_recent = _recent(acct, day, comp_events, TICKET_COMPETITOR_DAYS).tolist()
        topic, frustrated, prio = topic.tolist(), frustrated.tolist(), prio.tolist()
        comp_of = np.asarray(competitor)[acct].tolist()
        themes, tones = [], []
        for i in range(k):
            d = d_theme
            name = C.TICKET_TOPICS[topic[i]]
            opts, w = TOPIC_THEMES[name]
            th = [d.weighted(opts, w)]
            if frustrated[i]:
                tone = "urgent" if d.chance(URGENT_SHARE_BY_PRIORITY[prio[i]]) else "negative"
                if d.chance(TICKET_SUPPORT_SHARE_FRUSTRATED):
                    th.append("support")
            else:
                tone = "neutral"
            if d.chance(TICKET_SECOND_THEME_SHARE):
                th.append(complaint(d, exclude=("competitor",)))
            share = TICKET_COMPETITOR_SHARE if comp_recent[i] else TICKET_COMPETITOR_SHARE_OTHER
            if name == "feature_request" and d.chance(share):
                th.append("competitor")
            themes.append(ordered(th))
            tones.append(tone)
        self._plant("support_tickets", acct, sec, themes)
        self._count("support_tickets", acct, sec, themes)
        subjects, bodies, named = [], [], []
        for i in range(k):
            d = d_words
            tone, th = tones[i], themes[i]
            slots = Slots(d, comp_of[i])
            main = next((t for t in th if t != "praise"), th[0])
            subj = fill(d.pick(B.SUBJECTS[main]), slots)
            if tone == "urgent" and d.chance(0.5):
                subj = d.pick(["URGENT: ", "Urgent - ", "[P1] "]) + subj
            elif tone == "negative" and d.chance(0.3):
                subj = subj + d.pick([" (again)", " - still not fixed", "!!", " - third time"])
            if d.chance(0.1):
                subj = lower_first(subj)
            opener = fill(d.pick(B.TICKET_OPENERS[tone]), slots)
            sentences = body_of(th, tone, d, slots)
            if opener.endswith(","):  # "Hi team, the sync ..."
                sentences[0] = lower_first(sentences[0])
            parts = [opener, *sentences]
            if tone == "negative" and d.chance(INTENSIFY_SHARE):
                parts.append(fill(d.pick(B.INTENSIFIERS), slots))
            if tone == "urgent":
                parts.append(fill(d.pick(B.URGENCY), slots))
            parts.append(d.pick(B.TICKET_CLOSERS[tone]))
            subjects.append(subj)
            bodies.append(finish(parts, d))
            named.append(slots.named)
        self._keep("support_tickets", ids, themes, tones, named)
        return subjects, bodies

    # ------------------------------------------------------------------ NPS comments
    def nps_comments(self, ids, acct, sec, score, competitor):
        k = len(ids)
        d_theme, d_words = self._draws("nps_responses")
        score = score.tolist()
        comp_of = np.asarray(competitor)[acct].tolist()
        themes, tones = [], []
        for i in range(k):
            d = d_theme
            s = score[i]
            if s <= 6:
                th = [complaint(d)]
                if d.chance(0.3):
                    th.append(complaint(d, exclude=tuple(th)))
                tone = "urgent" if s <= 3 and d.chance(0.1) else "negative"
            elif s <= 8:
                th = ["praise", complaint(d)] if d.chance(0.6) else [complaint(d)]
                tone = "neutral"
            else:
                th = ["praise"]
                if d.chance(0.25):
                    th.append("missing_feature")
                tone = "positive"
            themes.append(th)
            tones.append(tone)
        self._plant("nps_responses", acct, sec, themes)
        self._count("nps_responses", acct, sec, themes)
        texts, named = [], []
        for i in range(k):
            d = d_words
            tone, th = tones[i], themes[i]
            slots = Slots(d, comp_of[i])
            parts = []
            if tone == "neutral" and th[0] != "praise":
                parts.append(d.pick(B.LUKEWARM))
            parts += body_of(th, tone, d, slots)
            if tone == "negative" and d.chance(0.4):
                parts.append(d.pick(B.DOWNBEATS))
            elif tone == "urgent":
                parts.append(fill(d.pick(B.URGENCY), slots))
            elif tone == "positive" and d.chance(0.3):
                parts.append(d.pick(B.UPBEATS))
            texts.append(finish(parts, d))
            named.append(slots.named)
        self._keep("nps_responses", ids, themes, tones, named)
        return texts

    # ------------------------------------------------------------------ feedback items
    def feedback_bodies(self, ids, acct, sec, source, senti, competitor):
        """``senti``: 0 negative, 1 neutral, 2 positive (the simulation's draw)."""
        k = len(ids)
        d_theme, d_words = self._draws("feedback_items")
        source, senti = source.tolist(), senti.tolist()
        comp_of = np.where(acct >= 0, np.asarray(competitor)[np.maximum(acct, 0)], -1).tolist()
        themes, tones = [], []
        for i in range(k):
            d = d_theme
            src = C.FEEDBACK_SOURCES[source[i]]
            s = senti[i]
            if src == "feature_request":
                th = ["missing_feature"]
                if d.chance(0.15):
                    th.append("competitor")
                if s == 2:
                    th.insert(0, "praise")
            elif s == 0:
                th = [complaint(d)]
                if d.chance(0.3):
                    th.append(complaint(d, exclude=tuple(th)))
            elif s == 1:
                th = ["praise", complaint(d)] if d.chance(0.5) else [complaint(d)]
            else:
                th = ["praise"]
                if d.chance(0.2):
                    th.append(complaint(d, exclude=("competitor",)))
            tones.append(["negative", "neutral", "positive"][s])
            themes.append(th)
        self._plant("feedback_items", acct, sec, themes)
        self._count("feedback_items", acct, sec, themes)
        texts, named = [], []
        for i in range(k):
            d = d_words
            tone, th = tones[i], themes[i]
            src = C.FEEDBACK_SOURCES[source[i]]
            slots = Slots(d, comp_of[i])
            sentences = body_of(th, tone, d, slots)
            if src == "review":
                pros = [core("praise", d, slots)] if "praise" in th else []
                cons = [core(t, d, slots) for t in th if t != "praise"]
                if pros and cons:
                    parts = ["Pros:", *pros, "Cons:", *cons]
                elif cons:
                    parts = [*cons, d.pick(B.DOWNBEATS) if tone == "negative" else ""]
                else:
                    parts = [*pros, d.pick(B.UPBEATS)]
            elif src in ("sales_call", "cs_call"):
                intro = fill(d.pick(B.CALL_NOTE_INTROS), slots)
                parts = [intro + '"' + " ".join(sentences) + '"']
            elif src == "community":
                parts = [d.pick(B.COMMUNITY_OPENERS[tone]), *sentences]
            elif src == "feature_request":
                parts = [d.pick(["Feature request:", "Request:", "Idea:", ""]), *sentences]
            else:
                parts = sentences
            if tone == "negative" and src != "review" and d.chance(0.3):
                parts.append(fill(d.pick(B.INTENSIFIERS), slots))
            texts.append(finish(parts, d, LOWERCASE_SHARE.get(src, 0.0)))
            named.append(slots.named)
        self._keep("feedback_items", ids, themes, tones, named)
        return texts

    # ------------------------------------------------------------------ churn surveys
    def survey_comments(self, ids, reason, competitor, fiscal):
        """``fiscal``: the row's comment names fiscal calendars (the win-back match)."""
        k = len(ids)
        d_theme, d_words = self._draws("churn_surveys")
        reason, competitor, fiscal = reason.tolist(), competitor.tolist(), fiscal.tolist()
        reason_themes = {
            "missing_feature": ["missing_feature"],
            "budget": ["pricing"],
            "poor_onboarding": ["onboarding"],
            "competitor": ["competitor"],
        }
        texts, themes, tones, named = [], [], [], []
        for i in range(k):
            d = d_theme
            r = C.SURVEY_REASONS[reason[i]]
            slots = Slots(d, competitor[i] if r == "competitor" else -1, fiscal=False)
            if fiscal[i]:
                t = d.pick(B.SURVEY_FISCAL_CALENDAR)
            else:
                t = fill(d.pick(B.SURVEY_TEMPLATES[r]), slots)
            # no typo where the win-back model looks for the words "fiscal calendar"
            texts.append(t if fiscal[i] else finish([t], d))
            themes.append(reason_themes.get(r, []))
            tones.append("neutral" if r in ("other", "champion_left", "poor_fit") else "negative")
            named.append(slots.named)
        self._keep("churn_surveys", ids, themes, tones, named)
        return texts

    # ------------------------------------------------------------------ CS activity notes
    def cs_notes(self, ids, atype, acct, competitor):
        k = len(ids)
        d_theme, d_words = self._draws("cs_activities")
        atype = atype.tolist()
        comp_of = np.asarray(competitor)[acct].tolist()
        texts, themes, tones, named = [], [], [], []
        for i in range(k):
            d = d_theme
            name = C.CS_ACTIVITY_TYPES[atype[i]]
            slots = Slots(d, comp_of[i])
            th: list[str] = []
            # a QBR note is as likely to record what goes well as a concern
            praise = name == "qbr" and d.chance(0.5)
            t1 = "praise" if praise else complaint(d)
            t2 = complaint(d, exclude=(t1,))
            tmpl = d.pick(B.CS_NOTE_TEMPLATES[name])
            if "{concern}" in tmpl:
                slots["concern"] = concern(t1, d, slots)
                th.append(t1)
            if "{concern2}" in tmpl:
                slots["concern2"] = concern(t2, d, slots)
                th.append(t2)
            texts.append(finish([fill(tmpl, slots)], d))
            themes.append(th)
            # a CSM writes about concerns in a neutral voice
            tones.append("positive" if th == ["praise"] else "neutral")
            named.append(slots.named)
        self._keep("cs_activities", ids, themes, tones, named)
        return texts

    # ------------------------------------------------------------------ CRM details
    def crm_details(self, ids, etype, competitor_code):
        """``competitor_code``: the competitor index of competitor events, else -1."""
        k = len(ids)
        d_theme, d_words = self._draws("crm_events")
        etype, competitor_code = etype.tolist(), competitor_code.tolist()
        texts, themes, named = [], [], []
        for i in range(k):
            d = d_theme
            slots = Slots(d, competitor_code[i])
            tmpl = d.pick(B.CRM_DETAIL_TEMPLATES[C.CRM_EVENT_TYPES[etype[i]]])
            texts.append(fill(tmpl, slots))
            themes.append(["competitor"] if slots.named >= 0 else [])
            named.append(slots.named)
        self._keep("crm_events", ids, themes, ["neutral"] * k, named)
        return texts

    # ------------------------------------------------------------------ outputs
    def truth(self) -> pa.Table:
        return pa.table(self._truth, schema=TRUTH_SCHEMA)

    def effects(self) -> dict:
        """The planted effects and what they realised, as the manifest records them."""
        out = {
            "description": "Texts by customers (tables in `sources`) of an account with an ARR "
            "event of kind `outcome` (churn: ARR to 0; contraction: ARR down, still > 0; "
            "expansion: ARR up from > 0; from the recurring line items, on the event's day, "
            "events up to end_date) dated window_days[0]..window_days[1] days (inclusive) "
            "before the event mention `theme` rate_multiplier times as often as the other texts "
            "with an account of the same table: the theme is added to texts of the window that "
            "lack it until the expected share is reached (a natural difference counts towards "
            "it; multi-label texts, labels in feedback_truth). `realised` counts texts with an "
            "account: in_window, outside_window, their mentions (and the window's mentions "
            "before planting), the mention shares and their ratio; accounts_in_window and "
            "accounts_mentioning_in_window count accounts.",
            "sources": EFFECT_TABLES,
            "truth_file": "feedback_truth",
            "effects": [],
        }
        for i, eff in enumerate(C.FEEDBACK_THEME_EFFECTS):
            tal = self._tally[i]
            n_in, m_in = tal["in"]
            n_out, m_out = tal["out"]
            share_in = m_in / n_in if n_in else None
            share_out = m_out / n_out if n_out else None
            out["effects"].append(
                {
                    **eff,
                    "events": int(len(self.events[eff["outcome"]][0])),
                    "accounts_with_event": int(len(np.unique(self.events[eff["outcome"]][0]))),
                    "realised": {
                        "texts_in_window": n_in,
                        "mentions_in_window": m_in,
                        "texts_outside_window": n_out,
                        "mentions_outside_window": m_out,
                        "mention_share_in_window": _r(share_in),
                        "mention_share_outside_window": _r(share_out),
                        "rate_ratio": _r(share_in / share_out) if share_in and share_out else None,
                        "mentions_in_window_before_planting": tal["base_in"],
                        "accounts_in_window": len(tal["accounts_in"]),
                        "accounts_mentioning_in_window": len(tal["accounts_mentioning"]),
                    },
                }
            )
        return out


TRUTH_SCHEMA = pa.schema(
    [
        ("source_table", pa.string()),
        ("row_id", pa.string()),
        ("themes", pa.string()),
        ("tone", pa.string()),
        ("is_mixed", pa.bool_()),
        ("competitor", pa.string()),
    ]
)


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def _recent(acct, day, events, days: int) -> np.ndarray:
    """Rows whose account had an event in the ``days`` days up to the row's day."""
    ev_acct, ev_day = events
    out = np.zeros(len(acct), bool)
    if len(ev_acct) == 0:
        return out
    o = np.lexsort((ev_day, ev_acct))
    key_ev = ev_acct[o].astype(np.int64) * (1 << 32) + ev_day[o]
    key_row = np.asarray(acct, np.int64) * (1 << 32) + day
    i = np.searchsorted(key_ev, key_row, side="right") - 1
    ok = i >= 0
    i = np.maximum(i, 0)
    same = ev_acct[o][i] == acct
    return ok & same & (day - ev_day[o][i] <= days)
