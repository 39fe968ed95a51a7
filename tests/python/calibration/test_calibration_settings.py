"""The calibration's day windows and signal flags come from the dbt vars and the seed
churn_signal_flags, passed in by the thin models (nrr_engine.calibration.settings). The
expectations are written by hand: the playbook's rules as they stood in Python before the seed,
dbt_project.yml read with yaml, and counts known by construction of small histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from test_calibration_minimums import history, minimums

from conftest import REPO
from nrr_engine.calibration import pipeline
from nrr_engine.calibration.settings import Windows, seed_signal_flags, signal_flags

# the rules as pipeline.SIGNAL_FLAGS wrote them before they moved to the seed
PLAYBOOK_RULES = {
    "usage_drop_over_40pct": "usage_trend_value < 0.6",
    "champion_inactive": "champion_activity_value >= 30",
    "champion_left": "stakeholder_changes_value >= 1",
    "negative_ticket_tone": "ticket_tone_value < 0",
    "feature_breadth_contracted": "feature_breadth_value < 0.375",
    "competitor_signals": "competitor_signals_value > 0",
    "payment_trouble": "payment_behaviour_value >= 1",
    "nps_dropped_20_points": "nps_change_value <= -2",
    "renewal_within_60_days_and_health_below_70": (
        "days_to_renewal_value <= 60 and composite_score < 70"
    ),
}


def rules(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["flag_order", "flag_name", "measure", "comparison",
                                       "threshold"])  # fmt: skip


def test_the_seed_gives_the_playbook_rules_in_order():
    got = signal_flags(seed_signal_flags(), 70.0)
    assert got == PLAYBOOK_RULES
    assert list(got) == list(PLAYBOOK_RULES)


def test_rules_are_anded_ordered_and_take_the_flag_threshold():
    table = rules(
        (2, "b", "x_value", "at_least", 3),
        (1, "a", "y_value", "above", 0.25),
        (2, "b", "composite_score", "below", None),
        (1, "a", "z_value", "at_most", -1),
    )
    assert signal_flags(table, 62.5) == {
        "a": "y_value > 0.25 and z_value <= -1",
        "b": "x_value >= 3 and composite_score < 62.5",
    }
    assert list(signal_flags(table, 62.5)) == ["a", "b"]


def test_bad_rules_are_errors():
    with pytest.raises(ValueError, match="comparison 'under'"):
        signal_flags(rules((1, "a", "x_value", "under", 1)), 70)
    with pytest.raises(ValueError, match="x_value has no threshold"):
        signal_flags(rules((1, "a", "x_value", "below", None)), 70)
    with pytest.raises(ValueError, match="two flag_orders"):
        signal_flags(rules((1, "a", "x_value", "below", 1), (2, "a", "y_value", "below", 1)), 70)
    with pytest.raises(KeyError, match="threshold"):
        signal_flags(pd.DataFrame({"flag_name": ["a"]}), 70)


def test_windows_from_the_rendered_vars_and_from_the_project():
    assert Windows.from_vars(
        {"health_band_churn_horizon_days": "60", "health_flag_min_lead_days": " 14",
         "health_flag_max_lead_days": "45"}
    ) == Windows(60, 14, 45)  # fmt: skip
    with pytest.raises(ValueError, match="health_flag_max_lead_days is not set"):
        Windows.from_vars({"health_band_churn_horizon_days": 90, "health_flag_min_lead_days": 30})
    with pytest.raises(ValueError, match="above max_lead_days"):
        Windows(90, 60, 30)
    with pytest.raises(ValueError, match="at least 1"):
        Windows(0, 0, 0)
    with open(REPO / "dbt_project.yml") as f:
        project = yaml.safe_load(f)["vars"]
    assert Windows.from_project() == Windows(
        project["health_band_churn_horizon_days"],
        project["health_flag_min_lead_days"],
        project["health_flag_max_lead_days"],
    )


def test_the_signal_table_uses_the_rules_passed_in():
    frame = history(25, 35, 0)
    flagged = sorted(frame["account_id"].unique())[:20]
    frame.loc[frame["account_id"].isin(flagged), "ticket_tone_value"] = -0.4
    # a team's own rule set: one flag on ticket tone at -0.3, one on a value no row reaches
    own = rules(
        (1, "very_negative_tone", "ticket_tone_value", "below", -0.3),
        (2, "huge_usage", "usage_trend_value", "above", 5),
    )
    table = pipeline.predictive_signals(frame, minimums(per_group=20), rules=own)
    assert table["signal"].tolist() == ["very_negative_tone", "huge_usage"]
    assert table["rule"].tolist() == ["ticket_tone_value < -0.3", "usage_trend_value > 5"]
    tone = table.set_index("signal").loc["very_negative_tone"]
    expected_rows = int(frame["account_id"].isin(flagged).sum())
    assert tone["flagged_accounts"] == 20
    # every snapshot of the 20 accounts is flagged; the labelled history keeps all of them
    assert tone["n_flagged"] == expected_rows
    assert table.set_index("signal").loc["huge_usage", "n_flagged"] == 0


def test_the_windows_passed_in_set_the_label_horizon_and_lead_days():
    """Train churners churn in weeks 20-30 and score 45 from 12 weeks (84 days) before. With a
    horizon of 28 days only snapshots at most 4 weeks before a churn are labelled churned."""
    frame = history(40, 35, 35)
    wide = pipeline.calibrate(frame, ["usage_trend"], minimums(), windows=Windows(90, 30, 90))
    narrow = pipeline.calibrate(frame, ["usage_trend"], minimums(), windows=Windows(28, 7, 28))
    assert wide.windows == Windows(90, 30, 90)

    def churned_by_hand(horizon_days: int) -> int:
        # snapshots of churners dated within horizon_days before their churn date (weekly, so
        # weeks 1 .. horizon_days // 7 before it); every churner's snapshots end the week before
        churners = frame[frame["churn_date"].notna()]
        days_before = (churners["churn_date"] - churners["snapshot_date"]).dt.days
        return int(((days_before > 0) & (days_before <= horizon_days)).sum())

    assert int(wide.labelled["churned_within_horizon"].sum()) == churned_by_hand(90)
    assert int(narrow.labelled["churned_within_horizon"].sum()) == churned_by_hand(28)
    assert churned_by_hand(28) == 70 * 4  # 70 churners x 4 weekly snapshots
    summary = pipeline.backtest_summary(narrow)
    assert set(summary["lead_days"]) == {7}
    assert set(pipeline.backtest_summary(wide)["lead_days"]) == {30}
    assert not np.isnan(summary.loc[summary["metric"] == "warned_share", "value"]).all()
