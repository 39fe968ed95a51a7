"""The band thresholds of the calibration come from seeds/health_bands.csv (nrr_engine.calibration
.bands), not from Python literals: the expectations here are written by hand from the playbook."""

import pandas as pd
import pytest

from nrr_engine.calibration import pipeline
from nrr_engine.calibration.bands import (
    health_bands,
    seed_bands,
    seed_flag_threshold,
)
from nrr_engine.calibration.metrics import lift_by_band
from nrr_engine.calibration.model import health_band
from nrr_engine.calibration.settings import seed_signal_flags, signal_flags


def test_the_seed_gives_the_playbook_bands_and_the_at_risk_threshold():
    assert seed_bands().score_bands == (
        (0.0, "churning"),
        (25.0, "critical"),
        (50.0, "at_risk"),
        (70.0, "healthy"),
        (85.0, "thriving"),
    )
    assert seed_bands().healthiest_first == (
        "thriving",
        "healthy",
        "at_risk",
        "critical",
        "churning",
    )
    # var health_flag_band = at_risk, whose upper bound is 70
    assert seed_flag_threshold() == 70.0


def test_other_bands_move_the_band_the_threshold_and_the_order():
    table = pd.DataFrame(
        {"band": ["low", "mid", "high", "insufficient_data"], "lower_score": [0, 40, 60, None]}
    )
    bands = health_bands(table)
    assert bands.score_bands == ((0.0, "low"), (40.0, "mid"), (60.0, "high"))
    assert bands.flag_threshold("mid") == 60.0
    assert bands.flag_threshold("low") == 40.0
    got = health_band([39.9, 40, 59.9, 60, None], bands.score_bands)
    assert list(got[:4]) == ["low", "mid", "mid", "high"]
    assert got.isna().tolist() == [False, False, False, False, True]
    frame = pd.DataFrame(
        {"band": ["low", "high", "mid", "high"], "churned_within_horizon": [1, 0, 0, 0]}
    )
    ordered = lift_by_band(frame, band_order=bands.healthiest_first, known_col=None)
    assert list(ordered["band"]) == ["high", "mid", "low"]


def test_a_flag_band_without_an_upper_bound_or_unknown_is_an_error():
    bands = seed_bands()
    with pytest.raises(ValueError, match="top band"):
        bands.flag_threshold("thriving")
    with pytest.raises(ValueError, match="not a score band"):
        bands.flag_threshold("insufficient_data")


def test_the_renewal_signal_rule_reads_the_flag_threshold():
    rules = seed_signal_flags()
    assert signal_flags(rules, 70.0)["renewal_within_60_days_and_health_below_70"] == (
        "days_to_renewal_value <= 60 and composite_score < 70"
    )
    assert signal_flags(rules, 62.5)["renewal_within_60_days_and_health_below_70"].endswith(
        "composite_score < 62.5"
    )
    _, threshold = pipeline.resolve_bands(((0.0, "low"), (40.0, "mid"), (60.0, "high")), "low")
    assert threshold == 40.0
