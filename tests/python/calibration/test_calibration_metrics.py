"""AUC, average precision, Brier, calibration and lift: by hand on tiny examples, and against
scikit-learn on random data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from nrr_engine.calibration.metrics import (
    average_precision,
    brier,
    calibration_by_decile,
    lift_by_band,
    roc_auc,
    summary_metrics,
)

# 4 churners and 4 retained accounts, no ties.
Y = [1, 1, 1, 1, 0, 0, 0, 0]
P = [0.9, 0.8, 0.4, 0.3, 0.7, 0.35, 0.2, 0.1]


def test_auc_counts_concordant_pairs_by_hand():
    # churner 0.9 beats all 4 retained, 0.8 beats 4, 0.4 beats 3 (not 0.7), 0.3 beats 2 (0.2, 0.1)
    assert roc_auc(Y, P) == pytest.approx(13 / 16)


def test_auc_counts_a_tie_as_half():
    # pairs (churner, retained): (0.5, 0.5) half, (0.5, 0.1) 1, (0.2, 0.5) 0, (0.2, 0.1) 1
    assert roc_auc([1, 1, 0, 0], [0.5, 0.2, 0.5, 0.1]) == pytest.approx(2.5 / 4)


def test_auc_extremes_and_one_class():
    assert roc_auc([1, 0], [0.9, 0.1]) == 1.0
    assert roc_auc([1, 0], [0.1, 0.9]) == 0.0
    assert roc_auc([True, False, True], [0.5, 0.5, 0.5]) == 0.5
    assert np.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_average_precision_by_hand():
    # ranked: 0.9 C, 0.8 C, 0.7 R, 0.4 C, 0.35 R, 0.3 C, ... ; precision at each churner's rank:
    # 1/1, 2/2, 3/4, 4/6; each adds recall 1/4
    assert average_precision(Y, P) == pytest.approx((1 + 1 + 3 / 4 + 4 / 6) / 4)


def test_average_precision_enters_ties_together():
    # threshold 0.5 flags a churner and a retained account: P 1/2 at recall 1/2;
    # threshold 0.2 adds the second churner: P 2/3 at recall 1
    assert average_precision([1, 1, 0, 0], [0.5, 0.2, 0.5, 0.1]) == pytest.approx(
        0.5 * 0.5 + 0.5 * 2 / 3
    )
    assert np.isnan(average_precision([0, 0], [0.1, 0.2]))


def test_brier_by_hand():
    # (0.2^2 + 0.3^2 + 0.6^2 + 0^2) / 4
    assert brier([1, 0, 1, 0], [0.8, 0.3, 0.4, 0.0]) == pytest.approx(0.49 / 4)


@pytest.mark.parametrize("seed", range(6))
def test_metrics_agree_with_sklearn_on_random_data(seed):
    rng = np.random.default_rng(seed)
    n = 500
    y = rng.random(n) < 0.2
    p = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.25, n), 0, 1)
    if seed % 2:
        p = np.round(p, 1)  # lots of ties
    assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert average_precision(y, p) == pytest.approx(average_precision_score(y, p), abs=1e-12)
    assert brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)


def test_metric_inputs_are_checked():
    with pytest.raises(ValueError):
        roc_auc([1, 0, None], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError):
        roc_auc([1, 0, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError):
        brier([1, 0], [0.1])
    with pytest.raises(ValueError):
        average_precision([1, 0], [0.1, np.nan])


def test_summary_metrics_row():
    row = summary_metrics(Y, P).iloc[0]
    assert row["n"] == 8 and row["n_churned"] == 4 and row["base_rate"] == 0.5
    assert row["roc_auc"] == pytest.approx(13 / 16)
    assert row["brier_skill"] == pytest.approx(1 - brier(Y, P) / 0.25)


def test_calibration_by_decile_equal_bins_in_score_order():
    p = np.arange(20) / 20  # 0.00 .. 0.95, given in order
    y = np.zeros(20, dtype=int)
    y[[1, 18, 19]] = 1
    shuffled = np.random.default_rng(0).permutation(20)
    table = calibration_by_decile(y[shuffled], p[shuffled])
    assert list(table.columns) == [
        "decile",
        "n",
        "n_churned",
        "mean_predicted",
        "observed_rate",
        "min_predicted",
        "max_predicted",
    ]
    assert table["decile"].tolist() == list(range(1, 11))
    assert table["n"].tolist() == [2] * 10
    assert table["mean_predicted"].tolist() == pytest.approx(
        [(2 * k + 0.5) / 20 for k in range(10)]
    )
    assert table["observed_rate"].tolist() == [0.5] + [0.0] * 8 + [1.0]
    assert table["decile"].dtype == np.int64 and table["n"].dtype == np.int64
    # fewer rows than bins: empty bins are left out, sizes never differ by more than one
    small = calibration_by_decile([0, 1, 0], [0.3, 0.2, 0.1])
    assert small["n"].tolist() == [1, 1, 1]
    assert small["observed_rate"].tolist() == [0.0, 1.0, 0.0]


def test_lift_by_band_by_hand():
    frame = pd.DataFrame(
        {
            "band": ["healthy"] * 4 + ["critical"] * 2 + ["thriving"] * 2 + [None, "at_risk"],
            "churned_within_horizon": [0, 0, 0, 1, 1, 1, 0, 0, 1, 0],
            "is_outcome_known": [True] * 9 + [False],  # the at_risk row is not known yet
        }
    )
    table = lift_by_band(frame)
    assert table["band"].tolist() == ["thriving", "healthy", "critical", "(missing)"]
    assert table["n"].tolist() == [2, 4, 2, 1]
    assert table["n_churned"].tolist() == [0, 1, 2, 1]
    overall = 4 / 9
    assert table["churn_rate"].tolist() == pytest.approx([0, 0.25, 1, 1])
    assert table["lift"].tolist() == pytest.approx([0, 0.25 / overall, 1 / overall, 1 / overall])
    assert table["share_of_churn"].sum() == pytest.approx(1.0)
    assert table["band"].dtype == "str" and table["lift"].dtype == np.float64
