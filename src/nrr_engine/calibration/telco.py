"""An external check of the calibration code on real churn data: the IBM telco churn set.

The data set is vendored with its licence in ``tests/data/external/telco_churn/`` (7,043
customers, 1,869 churned; MIT, via R's modeldata). Published logistic regressions reach a holdout
ROC AUC of about 0.84 on it; running *our* ``fit_calibrated_weights`` / ``score`` / ``roc_auc``
on it should land in the same place, which catches broken preprocessing, label flips or metric
bugs that our own simulated data might hide.

The telco set is cross-sectional (one row per customer, no snapshot dates), so a random stratified
holdout is the right split here; the walk-forward split is for the time-ordered health history.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from nrr_engine.calibration.metrics import roc_auc
from nrr_engine.calibration.model import fit_calibrated_weights, score

TELCO_LABEL = "churned"
TELCO_ID = "customer_id"
BINARY_COLUMNS = (
    "female",
    "senior_citizen",
    "partner",
    "dependents",
    "phone_service",
    "paperless_billing",
)
NUMERIC_COLUMNS = ("tenure", "monthly_charges", "total_charges")
CATEGORICAL_COLUMNS = (
    "multiple_lines",
    "internet_service",
    "online_security",
    "online_backup",
    "device_protection",
    "tech_support",
    "streaming_tv",
    "streaming_movies",
    "contract",
    "payment_method",
)
EXPECTED_COLUMNS = (
    "rownames",
    "churn",
    *BINARY_COLUMNS,
    *NUMERIC_COLUMNS,
    *CATEGORICAL_COLUMNS,
)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def load_telco(path: str | Path) -> pd.DataFrame:
    """Read the telco CSV into a numeric frame.

    Columns: ``customer_id`` (int64, the file's ``rownames``), ``churned`` (bool, churn == 'Yes'),
    then float64 features: the 0/1 columns as they are, ``tenure``, ``monthly_charges``,
    ``total_charges``, and one 0/1 column per level of each categorical
    (``<column>__<level slug>``, e.g. ``contract__month_to_month``, levels sorted; all levels are
    kept -- the L2 penalty copes with the redundancy). ``total_charges`` is blank for the 11
    customers with ``tenure`` 0, who have not been billed yet: it is set to 0.

    Raises ValueError if a column is missing, ``churn`` has a value other than Yes/No, or
    ``total_charges`` is blank for a customer with tenure > 0.
    """
    raw = pd.read_csv(path)
    missing = [c for c in EXPECTED_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    if not raw["churn"].isin(["Yes", "No"]).all():
        raise ValueError(f"{path}: churn must be Yes or No")

    total = pd.to_numeric(raw["total_charges"], errors="coerce")
    not_billed = total.isna() & (raw["tenure"] == 0)
    if (total.isna() & ~not_billed).any():
        raise ValueError(f"{path}: total_charges blank for customers with tenure > 0")
    out = {
        TELCO_ID: raw["rownames"].astype(np.int64),
        TELCO_LABEL: (raw["churn"] == "Yes").astype(bool),
    }
    for col in BINARY_COLUMNS:
        out[col] = pd.to_numeric(raw[col], errors="raise").astype(np.float64)
    out["tenure"] = raw["tenure"].astype(np.float64)
    out["monthly_charges"] = raw["monthly_charges"].astype(np.float64)
    out["total_charges"] = total.where(~not_billed, 0.0).astype(np.float64)
    for col in CATEGORICAL_COLUMNS:
        values = raw[col].astype("str")
        for level in sorted(values.unique()):
            out[f"{col}__{_slug(level)}"] = (values == level).astype(np.float64)
    return pd.DataFrame(out)


def telco_feature_cols(frame: pd.DataFrame) -> list[str]:
    """The feature columns of a ``load_telco`` frame (everything but id and label)."""
    return [c for c in frame.columns if c not in (TELCO_ID, TELCO_LABEL)]


def telco_holdout_auc(
    path: str | Path, seed: int = 0, test_size: float = 0.25, C: float = 1.0
) -> float:
    """Holdout ROC AUC of the calibration model on the telco data.

    A stratified random ``test_size`` holdout (``random_state=seed``), then the very functions the
    health calibration uses: ``fit_calibrated_weights`` on the rest, ``score`` and ``roc_auc`` on
    the holdout.
    """
    frame = load_telco(path)
    features = telco_feature_cols(frame)
    train, test = train_test_split(
        frame, test_size=test_size, stratify=frame[TELCO_LABEL], random_state=seed
    )
    fitted = fit_calibrated_weights(train, features, C=C, label_col=TELCO_LABEL, known_col=None)
    return roc_auc(test[TELCO_LABEL], score(fitted, test))
