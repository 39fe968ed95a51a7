"""Generator scenarios (``--scenario``): each plants one dominant cause of an NRR regression.

``healthy`` (the default) changes nothing: the simulation never calls a scenario hook, so the
default book stays byte-identical. The other scenarios act through four small hooks, each a
no-op for ``healthy``:

- ``after_accounts`` (end of ``AccountsMixin._make_accounts``): re-draws attributes of the
  affected accounts from the scenario's own random stream (``rng_for(seed, "scenario")``), so the
  commercial stream's draws keep their order;
- ``hazard_factor`` (``ChurnMixin._multipliers``): an extra churn-hazard multiplier per account;
- ``reason_weights`` (``ChurnMixin._reason_weights``): adds the extra hazard's weight to the
  churn reason it stands for;
- ``onset_factor`` (``ChurnMixin._competitor_evaluation``): a multiplier of a driver's monthly
  onset rate;
- ``expansion_factor`` (``AccountsMixin._expansion_intent``): a multiplier of the monthly
  expansion probability.

The planted sizes are written to ``generator_manifest.json`` under ``scenario``; the NRR
diagnosis (models/marts/diagnosis, docs/definitions.md#nrr-diagnosis) should name the
scenario's ``dominant_cause`` as dominant.
"""

from __future__ import annotations

import numpy as np

from . import constants as C
from .util import rng_for

#: the planted parameters of each scenario; the manifest records them as they are
SCENARIOS: dict[str, dict] = {
    "healthy": {
        "dominant_cause": None,
        "description": "the default book: no cause planted beyond the generator's usual drivers",
    },
    "icp_drift": {
        "dominant_cause": "icp_drift",
        "description": "accounts created in the last recent_months of the window are, with "
        "probability drift_share, re-drawn as ICP tier 3 in the poor-fit industry (their health "
        "level and drift become tier 3's, the icp_drift driver applies) and churn with "
        "extra_hazard_multiplier on top of the drivers",
        "recent_months": 24,
        "drift_share": 0.6,
        "segments": ["smb", "mid_market"],
        "industry": "retail",
        "extra_hazard_multiplier": 3.5,
    },
    "onboarding_failure": {
        "dominant_cause": "time_to_value_failure",
        "description": "accounts created in the last recent_months of the window fail "
        "activation with probability failure_share (no setup or first-value event; the "
        "activation_failure driver applies), are put on monthly plans, and their churn hazard "
        "is multiplied by cliff_hazard_multiplier while their tenure is in cliff_tenure_months "
        "(months since the first paid month, at the decision; the churn lands 1-3 months later)",
        "recent_months": 18,
        "failure_share": 0.45,
        "cliff_tenure_months": [2, 4],
        "cliff_hazard_multiplier": 6.0,
    },
    "competitor": {
        "dominant_cause": "competitive_displacement",
        "description": "with probability competitor_share an account's competitor becomes the "
        "named competitor (feedback, CRM events and churn surveys name it); in the last "
        "last_months of the window the competitor_evaluation onset rate is multiplied by "
        "onset_multiplier and the churn hazard of accounts evaluating the named competitor by "
        "extra_hazard_multiplier (its excess hazard goes to the competitor churn reason)",
        "competitor": "Northwind Metrics",
        "competitor_share": 0.7,
        "last_months": 9,
        "onset_multiplier": 12.0,
        "extra_hazard_multiplier": 2.0,
    },
    "expansion_stall": {
        "dominant_cause": "no_upsell_motion",
        "description": "in the last last_months of the window the monthly expansion probability "
        "of every account is multiplied by expansion_multiplier (health and usage unchanged: "
        "the motion stopped, not the adoption)",
        "last_months": 9,
        "expansion_multiplier": 0.2,
    },
}
DEFAULT_SCENARIO = "healthy"


class Scenario:
    """The hooks of one scenario; ``healthy`` is never called (``get`` returns None)."""

    def __init__(self, name: str) -> None:
        if name not in SCENARIOS:
            raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}")
        self.name = name
        self.p = SCENARIOS[name]
        self.affected = np.zeros(0, bool)

    # ------------------------------------------------------------------ hooks
    def after_accounts(self, sim) -> None:
        """Re-draw the attributes of the affected accounts (own random stream)."""
        a, cal, n = sim.a, sim.cal, sim.n
        rng = rng_for(sim.seed, "scenario")
        self.affected = np.zeros(n, bool)
        p = self.p
        if self.name == "icp_drift":
            recent = (~a["pre"]) & (a["c"] >= cal.T - p["recent_months"])
            segs = np.isin(a["seg"], [C.SEGMENTS.index(s) for s in p["segments"]])
            hit = recent & segs & (rng.random(n) < p["drift_share"])
            old_mu = a["mu"].copy()
            a["icp"] = np.where(hit, 3, a["icp"])
            a["industry"] = np.where(hit, C.INDUSTRIES.index(p["industry"]), a["industry"])
            a["icp_drift"] = a["icp_drift"] | hit
            a["mu"] = (
                np.array(C.HEALTH_MEAN_BY_ICP_TIER)[a["icp"] - 1]
                + np.array(C.HEALTH_MEAN_SEGMENT_OFFSET)[a["seg"]]
            )
            a["drift"] = np.array(C.HEALTH_DRIFT_BY_ICP_TIER)[a["icp"] - 1]
            a["h0"] = a["h0"] + (a["mu"] - old_mu)
            self.affected = hit
        elif self.name == "onboarding_failure":
            recent = (~a["pre"]) & (a["c"] >= cal.T - p["recent_months"])
            hit = recent & (rng.random(n) < p["failure_share"]) & ~a["act_fail"]
            shock = C.DRIVER_EFFECTS["activation_failure"]["health_shock"]
            a["h0"] = np.where(hit, a["h0"] + shock, a["h0"])
            a["act_fail"] = a["act_fail"] | hit
            self.affected = recent & a["act_fail"]
            a["ivl0"] = np.where(self.affected, 1, a["ivl0"])
        elif self.name == "competitor":
            named = C.COMPETITORS.index(p["competitor"])
            hit = rng.random(n) < p["competitor_share"]
            a["comp"] = np.where(hit, named, a["comp"])
            self.affected = a["comp"] == named

    def hazard_factor(self, sim, idx: np.ndarray, t: int) -> np.ndarray | None:
        """An extra churn-hazard multiplier of the accounts ``idx`` in month t (None: none)."""
        p = self.p
        if self.name == "icp_drift":
            return np.where(self.affected[idx], p["extra_hazard_multiplier"], 1.0)
        if self.name == "onboarding_failure":
            lo, hi = p["cliff_tenure_months"]
            tenure = t - sim.first_paid_m[idx]
            on = self.affected[idx] & (tenure >= lo) & (tenure <= hi)
            return np.where(on, p["cliff_hazard_multiplier"], 1.0)
        if self.name == "competitor" and t >= sim.cal.T - p["last_months"]:
            since = t - sim.comp_m[idx]
            w = C.DRIVER_EFFECTS["competitor_evaluation"]["window_months"]
            on = self.affected[idx] & (since >= 1) & (since <= w)
            return np.where(on, p["extra_hazard_multiplier"], 1.0)
        return None

    def reason_weights(self, sim, ci: np.ndarray, t: int, w: np.ndarray, reason: dict) -> None:
        """Add the scenario's excess hazard to the churn reason it stands for (in place)."""
        extra = self.hazard_factor(sim, ci, t)
        if extra is None:
            return
        col = {"icp_drift": "poor_fit", "onboarding_failure": "poor_onboarding"}.get(
            self.name, "competitor"
        )
        base = C.DRIVER_EFFECTS["competitor_evaluation"]["hazard_multiplier"]
        scale = base if self.name == "competitor" else 1.0
        w[:, reason[col]] += (extra - 1.0) * scale

    def onset_factor(self, sim, driver: str, t: int) -> float:
        """Multiplier of ``driver``'s monthly onset rate in month t."""
        p = self.p
        if (
            self.name == "competitor"
            and driver == "competitor_evaluation"
            and t >= sim.cal.T - p["last_months"]
        ):
            return p["onset_multiplier"]
        return 1.0

    def expansion_factor(self, sim, t: int) -> float:
        """Multiplier of the monthly expansion probability in month t."""
        p = self.p
        if self.name == "expansion_stall" and t >= sim.cal.T - p["last_months"]:
            return p["expansion_multiplier"]
        return 1.0

    # ------------------------------------------------------------------ manifest
    def manifest(self, sim) -> dict:
        """The scenario, its dominant cause and its planted sizes, as realised."""
        out = {"name": self.name, **self.p, "affected_accounts": int(self.affected.sum())}
        if self.name in ("icp_drift", "onboarding_failure") and len(self.affected):
            out["affected_created_from_month_index"] = int(sim.cal.T - self.p["recent_months"])
        return out


def get(name: str | None) -> Scenario | None:
    """The scenario's hooks, or None for ``healthy`` (the simulation then calls none)."""
    name = name or DEFAULT_SCENARIO
    if name not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}")
    return None if name == DEFAULT_SCENARIO else Scenario(name)


def manifest(name: str | None, scenario: Scenario | None, sim) -> dict:
    """The manifest's ``scenario`` entry (also written for ``healthy``)."""
    if scenario is None:
        return {"name": DEFAULT_SCENARIO, **SCENARIOS[DEFAULT_SCENARIO], "affected_accounts": 0}
    return scenario.manifest(sim)
