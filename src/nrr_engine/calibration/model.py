"""Calibrate health-score weights against observed churn with a logistic regression.

The model is deliberately small and explainable: median imputation, standardisation, and an
L2-penalised logistic regression of ``churned_within_horizon`` on the given score columns. Its
standardised coefficients say how much each score moves the churn log-odds per standard deviation,
which is what ``weights_table`` compares with the hand-set prior weights (35/25/20/20 in the
playbook's health model).

Class weighting: **none** (``class_weight=None``) by default. The model's output is used as a
*probability* (the calibrated health score, Brier score and calibration-by-decile all read it as
one), and ``class_weight='balanced'`` re-weights the rare churners up to half of the fit, which
shifts the intercept and inflates every predicted probability towards 50%. Ranking (AUC) and the
relative size of the coefficients are nearly unaffected by the weighting, so nothing is gained in
exchange. With few churners, widen the horizon or pool more history rather than re-weight; the
option stays available for experiments.

Penalty: L2, expressed as ``l1_ratio=0`` because scikit-learn 1.8 deprecated the ``penalty``
argument (``penalty='l2'`` now only emits a FutureWarning); ``C`` is the inverse strength.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from nrr_engine.calibration._frames import (
    as_pandas,
    known_mask,
    require_columns,
    to_float,
    to_label,
)
from nrr_engine.calibration.bands import health_bands, seed_bands

RANDOM_STATE = 0
LABEL_COL = "churned_within_horizon"
KNOWN_COL = "is_outcome_known"


def score_bands(bands) -> tuple[tuple[float, str], ...]:
    """The score bands of a band table such as the seed ``health_bands`` (columns ``band`` and
    ``lower_score``), lowest first: every band with a lower bound except ``NOT_A_SCORE_BAND``
    (``bands.health_bands``).

    Raises ValueError if no band is left or two bands share a lower bound.
    """
    return health_bands(bands).score_bands


@dataclass(frozen=True)
class FittedChurnModel:
    """A fitted calibration: the sklearn pipeline and what it was fitted on."""

    pipeline: Pipeline
    feature_cols: tuple[str, ...]
    label_col: str
    n_train: int
    n_churned: int
    C: float
    class_weight: str | None

    @property
    def coefficients(self) -> np.ndarray:
        """Coefficients on the standardised features (churn log-odds per standard deviation)."""
        return self.pipeline.named_steps["model"].coef_[0].copy()

    @property
    def intercept(self) -> float:
        return float(self.pipeline.named_steps["model"].intercept_[0])


def _features(frame: pd.DataFrame, feature_cols: Sequence[str]) -> np.ndarray:
    require_columns(frame, feature_cols, "features")
    if len(frame) == 0:
        return np.empty((0, len(feature_cols)))
    return np.column_stack([to_float(frame[c], c) for c in feature_cols])


def make_pipeline(C: float = 1.0, class_weight: str | None = None) -> Pipeline:
    """The unfitted pipeline: SimpleImputer(median) + StandardScaler + LogisticRegression(L2).

    ``keep_empty_features=True`` keeps a column that is entirely null in training (it is imputed
    as 0, scales to 0 and gets a coefficient of 0) so that coefficients stay aligned with names.
    """
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            (
                "model",
                LogisticRegression(
                    C=C,
                    l1_ratio=0.0,
                    solver="lbfgs",
                    max_iter=1000,
                    class_weight=class_weight,
                    random_state=RANDOM_STATE,
                ),
            ),
        ]
    )


def fit_calibrated_weights(
    train,
    feature_cols: Sequence[str],
    C: float = 1.0,
    *,
    label_col: str = LABEL_COL,
    known_col: str | None = KNOWN_COL,
    class_weight: str | None = None,
) -> FittedChurnModel:
    """Fit the churn model on ``train``.

    ``feature_cols`` are numeric columns (nulls allowed: median-imputed). ``label_col`` is a
    bool/0-1 outcome without nulls. If ``known_col`` names a column of ``train``, rows where it is
    False are dropped first (their label is not observed yet); pass ``known_col=None`` to use every
    row. Raises ValueError if fewer than two classes remain. Deterministic (lbfgs, fixed seed).
    """
    frame = as_pandas(train)
    feature_cols = tuple(feature_cols)
    if not feature_cols:
        raise ValueError("feature_cols is empty")
    if len(set(feature_cols)) != len(feature_cols):
        raise ValueError("feature_cols has duplicates")
    require_columns(frame, [*feature_cols, label_col], "train")
    frame = frame.loc[known_mask(frame, known_col)]
    y = to_label(frame[label_col], label_col)
    if len(np.unique(y)) < 2:
        raise ValueError(
            f"need churned and retained rows to fit; got {len(y)} row(s), {int(y.sum())} churned"
        )
    pipeline = make_pipeline(C=C, class_weight=class_weight)
    pipeline.fit(_features(frame, feature_cols), y)
    return FittedChurnModel(
        pipeline=pipeline,
        feature_cols=feature_cols,
        label_col=label_col,
        n_train=len(y),
        n_churned=int(y.sum()),
        C=float(C),
        class_weight=class_weight,
    )


def weights_table(
    fitted: FittedChurnModel, prior_weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """One row per feature (in ``fitted.feature_cols`` order), comparing fitted and prior weights.

    Columns:

    ``feature`` (str)
    ``coefficient`` (float64)
        change in churn log-odds per standard deviation of the feature.
    ``odds_ratio_per_sd`` (float64)
        ``exp(coefficient)``.
    ``direction`` (str)
        the sign of the feature's relation to **churn**: ``'protective'`` if the coefficient is
        negative (a higher value means *less* churn -- what a health score, where higher =
        healthier, should show), ``'risk'`` if positive (higher value, *more* churn -- for a health
        score this means the signal is inverted or confounded), ``'none'`` if exactly 0.
    ``normalised_share`` (float64)
        ``|coefficient| / sum(|coefficient|)``: the data-driven weight; sums to 1 (all NaN if every
        coefficient is 0).
    ``prior_weight`` (float64)
        the weight given in ``prior_weights`` (any scale, e.g. 35/25/20/20); NaN if not given.
    ``prior_share`` (float64)
        ``prior_weight / sum(prior_weight)`` over the features that have one.
    ``share_change`` (float64)
        ``normalised_share - prior_share``: positive = the data says weigh this more.

    Raises ValueError if ``prior_weights`` names a feature the model was not fitted on, or has a
    negative weight.
    """
    coef = fitted.coefficients
    magnitude = np.abs(coef)
    total = magnitude.sum()
    share = magnitude / total if total > 0 else np.full_like(magnitude, np.nan)
    direction = np.where(coef < 0, "protective", np.where(coef > 0, "risk", "none"))

    prior = np.full(len(coef), np.nan)
    if prior_weights:
        unknown = sorted(set(prior_weights) - set(fitted.feature_cols))
        if unknown:
            raise ValueError(f"prior_weights name features the model does not have: {unknown}")
        for i, name in enumerate(fitted.feature_cols):
            if name in prior_weights:
                prior[i] = float(prior_weights[name])
        if (prior[~np.isnan(prior)] < 0).any():
            raise ValueError("prior weights must be non-negative")
    prior_total = np.nansum(prior)
    prior_share = prior / prior_total if prior_total > 0 else np.full_like(prior, np.nan)

    return pd.DataFrame(
        {
            "feature": pd.Series(fitted.feature_cols, dtype="str"),
            "coefficient": coef.astype(np.float64),
            "odds_ratio_per_sd": np.exp(coef).astype(np.float64),
            "direction": pd.Series(direction, dtype="str"),
            "normalised_share": share.astype(np.float64),
            "prior_weight": prior,
            "prior_share": prior_share,
            "share_change": share - prior_share,
        }
    )


def score(fitted: FittedChurnModel, frame) -> pd.Series:
    """Predicted churn probability within the horizon, float64 in [0, 1].

    Returned as a Series named ``churn_probability`` with ``frame``'s index, so it can be assigned
    straight back. Null features are imputed with the training medians.
    """
    data = as_pandas(frame)
    if len(data) == 0:
        return pd.Series([], index=data.index, dtype=np.float64, name="churn_probability")
    proba = fitted.pipeline.predict_proba(_features(data, fitted.feature_cols))[:, 1]
    return pd.Series(proba.astype(np.float64), index=data.index, name="churn_probability")


def calibrated_health_score(churn_probability) -> pd.Series:
    """Turn a churn probability into a 0-100 health score: ``100 * (1 - p)`` (float64).

    Higher = healthier, like the composite score; a score of 70 means a 30% chance of churning
    within the horizon the model was trained on. Unlike the hand-weighted composite it is a
    probability in disguise, so its bands can be read as expected churn rates. Nulls stay null.
    """
    p = pd.Series(churn_probability)
    values = to_float(p, "churn_probability")
    finite = values[~np.isnan(values)]
    if ((finite < 0) | (finite > 1)).any():
        raise ValueError("churn probabilities must be in [0, 1]")
    return pd.Series(100.0 * (1.0 - values), index=p.index, name="calibrated_health_score")


def health_band(health_score, bands: Sequence[tuple[float, str]] | None = None) -> pd.Series:
    """The band of a 0-100 score (str; null stays null).

    ``bands`` are (lower bound, name) pairs, lowest first, lower bound inclusive (``score_bands``
    reads them from the seed table). None: the repository's seeds/health_bands.csv
    (``bands.seed_bands``; shipped: the playbook's 85-100 / 70-84 / 50-69 / 25-49 / 0-24,
    extended to fractional scores). A score below the lowest bound gets the lowest band.
    """
    if bands is None:
        bands = seed_bands().score_bands
    s = pd.Series(health_score)
    values = to_float(s, "health_score")
    bounds = np.array([float(b) for b, _ in bands])
    if len(bounds) == 0 or (np.diff(bounds) <= 0).any():
        raise ValueError("bands must be non-empty and in ascending order of lower bound")
    names = np.array([n for _, n in bands], dtype=object)
    idx = np.clip(
        np.searchsorted(bounds, np.nan_to_num(values, nan=0.0), side="right") - 1, 0, None
    )
    out = names[idx]
    out[np.isnan(values)] = None
    return pd.Series(out, index=s.index, name="band", dtype="str")


def score_frame(fitted: FittedChurnModel, frame) -> pd.DataFrame:
    """``frame`` with ``churn_probability``, ``calibrated_health_score`` and ``calibrated_band``."""
    data = as_pandas(frame).copy()
    p = score(fitted, data)
    data["churn_probability"] = p
    data["calibrated_health_score"] = calibrated_health_score(p)
    data["calibrated_band"] = health_band(data["calibrated_health_score"])
    return data
