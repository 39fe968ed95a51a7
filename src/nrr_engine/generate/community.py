"""Community membership (issue 14): who joins, when, and the planted effect on churn.

Two parts, both written to the manifest's ``community`` block:

- causal: from its join month on, a member's churn hazard is multiplied by
  ``PROTECTIVE_EFFECTS["community_member"]``, whatever its health (churn.py);
- confounded: who joins is not random. The join propensity rises with the segment (larger
  accounts), the ICP tier (tier 1 accounts have a higher latent health mean) and the account's
  latent health at creation, and members join some months after creation (older accounts are
  more often members). Healthy, large and old accounts churn less anyway, so a naive
  member/non-member comparison overstates the causal effect.

Membership draws its uniform from the commercial stream (one draw per account, in the order the
accounts dict is written, as before); the join delays draw from their own stream, so they move
no other path.
"""

from __future__ import annotations

import numpy as np

from . import constants as C
from .util import rng_for


def join_propensity(seg: np.ndarray, icp: np.ndarray, h0: np.ndarray, mu_ref: np.ndarray):
    """Probability that an account ever joins the community."""
    p = (
        np.array(C.COMMUNITY_MEMBER_SHARE)[seg]
        * np.where(icp == 1, C.COMMUNITY_TIER1_LIFT, 1.0)
        * np.exp(C.COMMUNITY_HEALTH_PROPENSITY * (h0 - mu_ref))
    )
    return np.minimum(p, C.COMMUNITY_MAX_PROPENSITY)


def draw_membership(
    seed: int,
    u: np.ndarray,
    seg: np.ndarray,
    icp: np.ndarray,
    h0: np.ndarray,
    mu_ref: np.ndarray,
    c: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Member flag and join month (creation month + a geometric delay; -1 for non-members)."""
    member = u < join_propensity(seg, icp, h0, mu_ref)
    rc = rng_for(seed, "community")
    delay = rc.geometric(1.0 / C.COMMUNITY_JOIN_DELAY_MEAN_MONTHS, len(u))
    return member, np.where(member, c + delay, -1)


def is_member(a: dict, idx, t: int) -> np.ndarray:
    """Members that have joined by month t (the protective effect and the activity start)."""
    return a["community"][idx] & (t >= a["community_join_m"][idx])


def tally_intents(sim, idx: np.ndarray, t: int, rate: np.ndarray, churn: np.ndarray) -> None:
    """Count churn decisions against their expectation without the community effect.

    Per group (joined members, the others): decisions made, and the sum of each candidate's
    decision probability had membership no effect. The realised hazard ratio of the manifest is
    (decisions / expected) of members over that of non-members: the causal effect as it came out
    in this book's draws (a book of 2,000 accounts has about a hundred member churns, so it can
    differ from the planted factor by chance). No draw: the paths do not move.
    """
    member = is_member(sim.a, idx, t)
    effect = C.PROTECTIVE_EFFECTS["community_member"]
    expected = -np.expm1(-rate / np.where(member, effect, 1.0))
    tally = sim.__dict__.setdefault("community_tally", np.zeros((2, 2)))
    for g, m in enumerate((member, ~member)):
        tally[g, 0] += churn[m].sum()
        tally[g, 1] += expected[m].sum()


def realised_hazard_ratio(sim) -> float | None:
    """Observed over expected churn decisions of members, over the same of non-members."""
    tally = sim.__dict__.get("community_tally")
    if tally is None or (tally[:, 1] == 0).any() or tally[1, 0] == 0:
        return None
    return round(float((tally[0, 0] / tally[0, 1]) / (tally[1, 0] / tally[1, 1])), 4)


def manifest(sim) -> dict:
    """The planted community effect: causal size, the confounding and the realised shares."""
    a = sim.a
    seg = a["seg"]
    share = {
        s: round(float(a["community"][seg == i].mean()), 4) if (seg == i).any() else None
        for i, s in enumerate(C.SEGMENTS)
    }
    dh = a["h0"] - sim.mu_ref
    mem = a["community"]
    return {
        "causal_hazard_ratio": C.PROTECTIVE_EFFECTS["community_member"],
        "causal_hazard_ratio_realised": realised_hazard_ratio(sim),
        "causal_hazard_ratio_realised_definition": "churn decisions of joined members over their "
        "expectation had membership no effect (sum of each candidate month's decision "
        "probability without the factor), divided by the same ratio of the other candidates: "
        "the causal effect as this book's draws realised it",
        "churn_decisions_realised": {
            "members": int(sim.__dict__.get("community_tally", np.zeros((2, 2)))[0, 0]),
            "non_members": int(sim.__dict__.get("community_tally", np.zeros((2, 2)))[1, 0]),
        },
        "causal": "from its join month on, a member's monthly churn hazard (monthly plans) and "
        "renewal churn hazard (term contracts) is multiplied by causal_hazard_ratio, whatever "
        "its health, segment or tenure",
        "confounding": "join propensity = member_share_base[segment] * tier1_lift (ICP tier 1) "
        "* exp(health_propensity * (latent health at creation - segment reference)), capped at "
        "max_propensity; members join join_delay_mean_months (geometric, >= 1) after the "
        "creation month, so members are larger, healthier and older than non-members and a "
        "naive comparison overstates the effect",
        "member_share_base": dict(zip(C.SEGMENTS, C.COMMUNITY_MEMBER_SHARE, strict=True)),
        "tier1_lift": C.COMMUNITY_TIER1_LIFT,
        "health_propensity": C.COMMUNITY_HEALTH_PROPENSITY,
        "max_propensity": C.COMMUNITY_MAX_PROPENSITY,
        "join_delay_mean_months": C.COMMUNITY_JOIN_DELAY_MEAN_MONTHS,
        "member_share_by_segment_realised": share,
        "mean_start_health_vs_reference_realised": {
            "members": round(float(dh[mem].mean()), 4) if mem.any() else None,
            "non_members": round(float(dh[~mem].mean()), 4) if (~mem).any() else None,
        },
        "activity": "members post from their join month while the account has access: "
        "Poisson(rate_monthly[segment] * (health_base + sigmoid(latent health))) actions a "
        "month, of types activity_mix; non-members at non_member_rate * (health_base + "
        "sigmoid(latent health)); no activity type carries an effect of its own",
        "rate_monthly": dict(zip(C.SEGMENTS, C.COMMUNITY_RATE_MONTHLY, strict=True)),
        "non_member_rate": C.COMMUNITY_NON_MEMBER_RATE,
        "health_base": C.COMMUNITY_HEALTH_BASE,
        "activity_mix": dict(zip(C.COMMUNITY_TYPES, C.COMMUNITY_MIX, strict=True)),
    }
