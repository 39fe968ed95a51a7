"""``python -m nrr_engine.generate``: write the demo book to a directory."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import constants as C
from . import onboarding, scenarios
from .io import TableWriter, write_table
from .schema import SCHEMAS, TABLES
from .simulate import simulate
from .tables import SESSION_RATE, Builder, behaviour_tables

GENERATOR_VERSION = "1.1.0"
FORMATS = ("parquet", "csv")


def _parse_date(value: str | dt.date) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def generate(
    accounts: int = C.DEFAULT_ACCOUNTS,
    months: int = C.DEFAULT_MONTHS,
    seed: int = C.DEFAULT_SEED,
    out_dir: str | Path = "data/raw",
    end_date: str | dt.date = C.DEFAULT_END_DATE,
    fmt: str = C.DEFAULT_FORMAT,
    log=None,
    scenario: str = scenarios.DEFAULT_SCENARIO,
) -> dict[str, int]:
    """Generate the book and write it to ``out_dir``; returns row counts per table.

    Same arguments give byte-identical files. ``log`` (optional callable) receives one line
    per table as it is written. ``scenario`` plants one dominant cause of an NRR regression
    (generate/scenarios.py); the default, ``healthy``, plants none.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    end = _parse_date(end_date)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ext = "parquet" if fmt == "parquet" else "csv"
    say = log or (lambda _msg: None)
    counts: dict[str, int] = {}

    def put(name: str, table: pa.Table) -> None:
        counts[name] = write_table(table, out / f"{name}.{ext}", fmt)
        say(f"{name:<26}{counts[name]:>12,} rows")

    sim = simulate(accounts, months, seed, end, scenario)
    b = Builder(sim)
    put("accounts", b.accounts())
    put("subscription_line_items", b.line_items())
    put("fx_rates", b.fx_rates())
    put("users", b.users())
    writer = TableWriter(out / f"usage_events.{ext}", SCHEMAS["usage_events"], fmt)
    try:
        b.usage_events(writer.write)
    finally:
        writer.close()
    counts["usage_events"] = writer.rows
    say(f"{'usage_events':<26}{writer.rows:>12,} rows")
    tables = behaviour_tables(b)
    for name in ("integrations", "support_tickets", "nps_responses", "feedback_items"):
        put(name, tables.pop(name))
    put("invoices", b.invoices())
    for name in ("crm_events", "community_activity", "churn_surveys", "cs_activities"):
        put(name, tables.pop(name))
    put("ground_truth", b.ground_truth())
    assert [t for t in counts if t != "ground_truth"] == TABLES
    # the labels of every text, apart from the raw tables (a real export has none)
    put("feedback_truth", b.voice.truth())
    manifest = {
        "generator": "nrr_engine.generate",
        "generator_version": GENERATOR_VERSION,
        "args": {
            "accounts": accounts,
            "months": months,
            "seed": seed,
            "end_date": end.isoformat(),
            "format": fmt,
        },
        "seed": seed,
        "window": {
            "start_date": dt.date.fromordinal(
                dt.date(1970, 1, 1).toordinal() + sim.cal.window_start_day
            ).isoformat(),
            "end_date": end.isoformat(),
            "months": months,
            "pre_window_months_simulated": C.PRE_WINDOW_MONTHS,
        },
        "row_counts": counts,
        "files": {t: f"{t}.{ext}" for t in counts},
        "driver_effects": C.DRIVER_EFFECTS,
        "protective_effects": C.PROTECTIVE_EFFECTS,
        "notice_period": {
            "health_shock": C.NOTICE_HEALTH_SHOCK,
            "usage_decay_per_month": C.NOTICE_USAGE_DECAY,
            "lead_months": [1, 3],
        },
        "base_hazards": {
            "monthly_plan_per_month": dict(zip(C.SEGMENTS, C.BASE_MONTHLY_HAZARD, strict=True)),
            "term_contract_per_later_renewal": dict(
                zip(C.SEGMENTS, C.BASE_RENEWAL_HAZARD, strict=True)
            ),
            "health_beta": C.HEALTH_BETA,
        },
        "winback_probability": C.WINBACK_PROBABILITY,
        "session_rate_by_segment": dict(zip(C.SEGMENTS, SESSION_RATE, strict=True)),
        "feature_catalogue": [list(x) for x in C.FEATURE_CATALOGUE],
        "fx_rates": C.FX_RATES,
        "cs_activity": cs_activity_manifest(),
        "feedback_theme_effects": b.voice.effects(),
        "onboarding": onboarding_manifest(sim, b),
        "scenario": scenarios.manifest(scenario, sim.scenario, sim),
        "community": community_manifest(sim),
        "ground_truth": {
            "churn_date": "end_date of the last paid recurring line when the account has no ARR "
            "at end-date (null when it is paying at end-date)",
            "churn_reason": "the simulated reason of that churn (churn_surveys categories or "
            "involuntary_payment)",
            "first_churn_date": "first day without ARR after having had ARR (differs from "
            "churn_date for reactivated accounts)",
            "has_<driver>/<driver>_at": "driver present in the window and the date of its first "
            "onset (icp_drift: created date; renewal_cliff: first renewal date of a term "
            "contract; activation_failure: first paid start)",
            "latent_health_at_end": "sigmoid of the latent health at end-date, 0..1",
            "is_cs_holdout": "the account is in the CS holdout (md5 bucket of holdout salt + "
            "account_id below the holdout share): monitored, never worked, never saved",
            "cs_save_attempt_level": "worked accounts only: the risk level of the account's "
            "(first and only) save attempt, the first month it was at a risk level with a churn "
            "intent pending whose churn date lies inside the history (involuntary churns are "
            "not attempted); null otherwise",
            "cs_save_attempt_touch": "timeliness of that attempt's first touch: on_time, late, "
            "never (no touch by end-date), after_churn (touched only after the churn date)",
            "cs_saved_level": "the level at which CS saved the account (its churn cancelled); "
            "null when not saved",
            "cs_averted_churn_date": "for accounts saved by CS, the date the churn would have "
            "happened; null otherwise",
        },
    }
    (out / "generator_manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return counts


def community_manifest(sim) -> dict:
    """The planted community effect: its causal size, the confounding, and both as realised."""
    a = sim.a
    seg, mem = a["seg"], a["community"]
    tally = sim.__dict__.get("community_tally", np.zeros((2, 2)))
    realised = None
    if (tally[:, 1] > 0).all() and tally[1, 0] > 0:
        realised = round(float((tally[0, 0] / tally[0, 1]) / (tally[1, 0] / tally[1, 1])), 4)
    return {
        "causal_hazard_ratio": C.PROTECTIVE_EFFECTS["community_member"],
        "causal": "a member's monthly churn hazard (monthly plans) and renewal churn hazard "
        "(term contracts) is multiplied by causal_hazard_ratio (protective_effects."
        "community_member) over its whole life, whatever its health, segment or tenure",
        "causal_hazard_ratio_realised": realised,
        "causal_hazard_ratio_realised_definition": "churn decisions of members over their "
        "expectation had membership no effect (sum of each candidate month's decision "
        "probability without the factor), divided by the same ratio of non-members: the "
        "causal effect as this book's draws realised it (no extra draw)",
        "churn_decisions_realised": {
            "members": int(tally[0, 0]),
            "non_members": int(tally[1, 0]),
        },
        "membership": "drawn once at creation: member_share[segment] * tier1_lift for ICP "
        "tier 1 accounts (ICP tier 1 has a higher latent health drift)",
        "member_share": dict(zip(C.SEGMENTS, C.COMMUNITY_MEMBER_SHARE, strict=True)),
        "tier1_lift": C.COMMUNITY_TIER1_LIFT,
        "member_share_by_segment_realised": {
            s: round(float(mem[seg == i].mean()), 4) if (seg == i).any() else None
            for i, s in enumerate(C.SEGMENTS)
        },
        "confounding": "community activity (the observable membership) is Poisson(rate * "
        "(health_base + sigmoid(latent health))) actions a month while the account has access, "
        "rate = rate_monthly[segment] for members and non_member_rate otherwise: "
        "activity-defined membership is confounded by health, segment and ICP tier, so a "
        "naive member/non-member comparison overstates the causal effect",
        "rate_monthly": dict(zip(C.SEGMENTS, C.COMMUNITY_RATE_MONTHLY, strict=True)),
        "non_member_rate": C.COMMUNITY_NON_MEMBER_RATE,
        "health_base": C.COMMUNITY_HEALTH_BASE,
    }


def onboarding_manifest(sim, b) -> dict:
    """The planted onboarding paths and the churn effect of missing M2, as realised."""
    return {
        "paths": [{"path": p, "segment": s, "use_cases": u} for p, s, u in C.ONBOARDING_PATHS],
        "path_timing": C.ONBOARDING_PATH_TIMING,
        "setup_feature": C.ONBOARDING_SETUP_FEATURE,
        "value_feature": C.ONBOARDING_VALUE_FEATURE,
        "habit_feature": C.ONBOARDING_HABIT_FEATURE,
        "mechanism": "accounts created in the window that fail activation (driver "
        "activation_failure: hazard_multiplier, health_shock, usage_multiplier) send no setup "
        "and no first-value event; the others send both after their path's lognormal delays",
        "m2_window_hours": C.ONBOARDING_M2_WINDOW_HOURS,
        "m2_missed_churn_effect_realised": onboarding.realised_effect(sim, b.m2_first),
        "m2_missed_churn_effect_definition": "accounts that first paid in the window, observed "
        "to the end of the 6th (12th) month after their first paid month: share with a first "
        "churn on or before that month's end, M2 (first value event) missed within "
        "m2_window_hours of creation, divided by the share of those that reached it",
    }


def cs_activity_manifest() -> dict:
    """The planted customer-success parameters, as the manifest records them."""
    return {
        "description": "Each month the CS team puts paying accounts at a risk level from their "
        "risk health: sigmoid of the latent health, minus intent_risk_penalty while a churn "
        "intent is open and driver_risk_penalty within driver_risk_months of a driver's onset. "
        "Entering a level (or a higher one) opens an episode; the first touch is on time "
        "(within sla_hours), late (late_touch_days after the SLA) or never, by first_touch_mix; "
        "then follow-ups while the episode is open; routine check-ins, QBRs and trainings at "
        "no level. Holdout accounts get no activity. A worked account at a level with a churn "
        "intent pending (churn date inside the history; not of a reason in unsaved_reasons) "
        "is saved once with save_probability[level] (times late_touch_save_factor when late; "
        "0 when never touched or touched after the churn date): its churn is cancelled and "
        "its latent health lifted to at least saved_health. One save attempt per account.",
        "holdout": {"salt": C.CS_HOLDOUT_SALT, "share": C.CS_HOLDOUT_SHARE},
        "holdout_bucket": "int(md5((salt + account_id).encode('utf-8')).hexdigest()[:4], 16) "
        "/ 65536; holdout when bucket < share",
        "levels": {
            "early_warning": f"risk health < {C.CS_RISK_HEALTH_BELOW['early_warning']} and down "
            f"by at least {C.CS_TREND_DROP} over {C.CS_TREND_MONTHS} months",
            "active_save": f"risk health < {C.CS_RISK_HEALTH_BELOW['active_save']}",
            "executive_escalation": "risk health < "
            f"{C.CS_RISK_HEALTH_BELOW['executive_escalation']}, or a term renewal within "
            f"{C.CS_RENEWAL_CLOSE_MONTHS} months and risk health < "
            f"{C.CS_RISK_HEALTH_BELOW['early_warning']}",
        },
        "risk_health_below": C.CS_RISK_HEALTH_BELOW,
        "trend_months": C.CS_TREND_MONTHS,
        "trend_drop": C.CS_TREND_DROP,
        "renewal_close_months": C.CS_RENEWAL_CLOSE_MONTHS,
        "intent_risk_penalty": C.CS_INTENT_RISK_PENALTY,
        "driver_risk_penalty": C.CS_DRIVER_RISK_PENALTY,
        "driver_risk_months": C.CS_DRIVER_RISK_MONTHS,
        "sla_hours": C.CS_SLA_HOURS,
        "first_touch_mix": {
            lv: dict(zip(("on_time", "late", "never"), mix, strict=True))
            for lv, mix in C.CS_FIRST_TOUCH_MIX.items()
        },
        "late_touch_days": list(C.CS_LATE_TOUCH_DAYS),
        "save_probability": C.CS_SAVE_PROBABILITY,
        "late_touch_save_factor": C.CS_LATE_TOUCH_SAVE_FACTOR,
        "unsaved_reasons": C.CS_UNSAVED_REASONS,
        "saved_health": C.CS_SAVED_HEALTH,
        "activity_types": C.CS_ACTIVITY_TYPES,
    }


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nrr_engine.generate",
        description="Write a deterministic synthetic SaaS book (14 raw tables, ground truth and "
        "the true themes and tone of its texts).",
    )
    p.add_argument("--accounts", type=int, default=C.DEFAULT_ACCOUNTS)
    p.add_argument("--months", type=int, default=C.DEFAULT_MONTHS)
    p.add_argument("--seed", type=int, default=C.DEFAULT_SEED)
    p.add_argument("--out", default="data/raw", help="output directory (default data/raw)")
    p.add_argument("--end-date", default=C.DEFAULT_END_DATE, type=dt.date.fromisoformat)
    p.add_argument("--format", default=C.DEFAULT_FORMAT, choices=FORMATS, dest="fmt")
    p.add_argument(
        "--scenario",
        default=scenarios.DEFAULT_SCENARIO,
        choices=sorted(scenarios.SCENARIOS),
        help="plant one dominant cause of an NRR regression (default healthy: none)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    generate(
        accounts=args.accounts,
        months=args.months,
        seed=args.seed,
        out_dir=args.out,
        end_date=args.end_date,
        fmt=args.fmt,
        log=print,
        scenario=args.scenario,
    )
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f}s")
    sys.stdout.flush()
    return 0
