"""The calibration run behind the dbt Python models: one function per published table.

Every model calls :func:`calibrate` on the same labelled history (deterministic, so each model
gets the same split and fit) and publishes one part of the result. The split is walk-forward by
time: the model learns from older snapshots whose 90-day outcome was complete before the cutoff
and is scored on the newer ones (docs/definitions.md#calibration). Nothing is tuned on the test
period: the regularisation strength is fixed and the prior weights come from the seeds.

Figures are published only above stated minimums (:class:`Minimums`, the dbt vars
``calibration_min_*``, ``signal_lift_min_*`` and ``survival_min_*``;
docs/definitions.md#minimums). Below one, a table carries ``status = 'insufficient_data'`` and a
``status_reason`` naming the count and the minimum, with its figures null, instead of raising:
too little data is a finding about the book, not an error. The pure functions of the other
modules still raise on input they cannot use (one outcome class, no dates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nrr_engine.calibration._frames import as_pandas, to_float
from nrr_engine.calibration.bands import (
    NOT_A_SCORE_BAND,
    HealthBands,
    project_var,
    seed_bands,
)
from nrr_engine.calibration.labels import label_snapshots
from nrr_engine.calibration.metrics import (
    calibration_by_decile,
    early_warning,
    lift_by_band,
    summary_metrics,
)
from nrr_engine.calibration.model import (
    FittedChurnModel,
    calibrated_health_score,
    fit_calibrated_weights,
    health_band,
    score,
    weights_table,
)
from nrr_engine.calibration.settings import (
    Windows,
    seed_signal_flags,
    signal_flags,
    whole_numbers_from_vars,
)
from nrr_engine.calibration.signals import signal_table
from nrr_engine.calibration.split import WalkForwardSplit, walk_forward_split
from nrr_engine.calibration.survival import kaplan_meier

TEST_FRACTION = 0.3
CATEGORIES = ("adoption", "engagement", "sentiment", "commercial")

REPORTED = "reported"
INSUFFICIENT = "insufficient_data"

# The product playbook's targets, as written down in docs/definitions.md#calibration (Targets).
TARGETS = {
    "warned_share": 0.80,  # "80%+ of churn predicted 30+ days out"
}

# The playbook's "Predictive Signal Identification" table is the seed churn_signal_flags
# (nrr_engine.calibration.settings.signal_flags); the label horizon and the early warning's
# lead window are the dbt vars of settings.Windows.


def resolve_windows(windows: Windows | None) -> Windows:
    """``windows`` (the thin models pass the vars), else, for a direct caller, the defaults of
    the repository's dbt_project.yml."""
    return Windows.from_project() if windows is None else windows


def resolve_bands(
    bands: Sequence[tuple[float, str]] | None, flag_band: str | None
) -> tuple[HealthBands, float]:
    """The score bands and the flag threshold (the upper bound of ``flag_band``): from the
    arguments (the thin models pass the seed table and the var), else from the repository's
    seeds/health_bands.csv and the var health_flag_band of dbt_project.yml."""
    resolved = seed_bands() if bands is None else HealthBands(tuple(bands))
    band = str(project_var("health_flag_band")) if flag_band is None else flag_band
    return resolved, resolved.flag_threshold(band)


# summary metrics that are counts: published whatever the status, since the minimums are judged
# on them; every other metric is null below a minimum
COUNT_METRICS = ("n", "n_churned", "churn_events")
SCORE_METRICS = ("n", "n_churned", "base_rate", "roc_auc", "average_precision", "brier")
WARNING_METRICS = (
    "churn_events",
    "warned_share",
    "warned_arr_share",
    "false_alarm_rate",
    "median_lead_days",
)


@dataclass(frozen=True)
class Minimums:
    """The counts below which a table publishes ``insufficient_data`` instead of figures.

    The thin dbt models fill it from the vars of the same names (dbt_project.yml); there are no
    defaults here, so the vars are the only place the numbers live.
    """

    churn_events: int  # calibration_min_churn_events
    retained_accounts: int  # calibration_min_retained_accounts
    signal_accounts_per_group: int  # signal_lift_min_accounts_per_group
    survival_accounts: int  # survival_min_accounts
    survival_events: int  # survival_min_events

    def __post_init__(self):
        for name, value in vars(self).items():
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"minimum {name} must be a whole number >= 1, got {value!r}")

    @classmethod
    def from_vars(cls, values: Mapping[str, object]) -> Minimums:
        """The minimums from a mapping of var name to value: what a thin model's
        ``dbt.config.meta_get("calibration_minimums")`` returns (dbt renders each var into text,
        so each is converted to an int here). A missing or blank var raises ValueError."""
        return cls(**whole_numbers_from_vars(values, MINIMUM_VARS, "minimum"))


#: Minimums field -> the dbt var that sets it
MINIMUM_VARS = {
    "churn_events": "calibration_min_churn_events",
    "retained_accounts": "calibration_min_retained_accounts",
    "signal_accounts_per_group": "signal_lift_min_accounts_per_group",
    "survival_accounts": "survival_min_accounts",
    "survival_events": "survival_min_events",
}


@dataclass(frozen=True)
class Sufficiency:
    """Whether a table's figures are published: ``status`` reported | insufficient_data, and
    ``reason`` (null when reported): every count below its minimum, with the minimum."""

    status: str
    reason: str | None

    @property
    def reported(self) -> bool:
        return self.status == REPORTED


def shortfall(count: int, minimum: int, noun: str, where: str, var: str) -> str | None:
    """``"7 churn events in the test period; at least 30 are needed (var)"``, or None when
    ``count`` reaches ``minimum`` (the minimum itself is enough)."""
    if count >= minimum:
        return None
    plural = "" if count == 1 else "s"
    where = f" {where}" if where else ""
    return f"{count} {noun}{plural}{where}; at least {minimum} are needed ({var})"


def judge(*shortfalls: str | None, note: str | None = None) -> Sufficiency:
    """Reported if no shortfall; else insufficient_data with the shortfalls (and ``note``)."""
    reasons = [s for s in shortfalls if s]
    if not reasons:
        return Sufficiency(REPORTED, None)
    return Sufficiency(INSUFFICIENT, "; ".join(reasons + ([note] if note else [])))


def scored_snapshots(history) -> tuple[pd.DataFrame, int]:
    """The snapshots that carry a health score, and how many were left out.

    Left out: snapshots in the band ``insufficient_data`` (no behavioural data) or with a null
    composite score, and any row whose ``is_scored`` (int_health_snapshots_labelled) is False.
    Such a snapshot has no score to test or to learn from (docs/definitions.md#calibration).
    """
    frame = as_pandas(history)
    keep = np.ones(len(frame), dtype=bool)
    if "is_scored" in frame.columns:
        keep &= frame["is_scored"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if "composite_score" in frame.columns:
        keep &= ~np.isnan(to_float(frame["composite_score"], "composite_score"))
    if "band" in frame.columns:
        keep &= (frame["band"].astype("str") != NOT_A_SCORE_BAND).to_numpy()
    return frame.loc[keep], int((~keep).sum())


def _excluded_note(n_excluded: int) -> str | None:
    if not n_excluded:
        return None
    plural = "" if n_excluded == 1 else "s"
    return f"{n_excluded} snapshot{plural} without a health score left out"


def _events(frame: pd.DataFrame) -> pd.DataFrame:
    """Distinct (account_id, churn_date) pairs of the rows that have a churn date."""
    return frame.loc[frame["churn_date"].notna(), ["account_id", "churn_date"]].drop_duplicates()


def _retained_accounts(known: pd.DataFrame, churned_accounts) -> int:
    return int(len(set(known["account_id"]) - set(churned_accounts)))


@dataclass(frozen=True)
class CalibrationRun:
    """The labelled history, its split and (above the minimums) the fitted models.

    ``prior`` says whether the prior score can be measured (the test period's minimums);
    ``calibrated`` whether the model was fitted and measured (training and test minimums). When
    ``calibrated`` is not reported the models are None and ``test`` has no calibrated score.
    """

    labelled: pd.DataFrame
    split: WalkForwardSplit | None
    signal_model: FittedChurnModel | None
    category_model: FittedChurnModel | None
    signal_cols: list[str]
    test: pd.DataFrame  # known-outcome test rows with prior (and calibrated) scores
    counts: dict[str, int]
    prior: Sufficiency
    calibrated: Sufficiency
    minimums: Minimums
    bands: HealthBands
    flag_threshold: float  # prior score below this: flagged (at risk or worse as shipped)
    windows: Windows  # label horizon and early-warning lead window (dbt vars)

    @property
    def cutoff_date(self) -> pd.Timestamp | None:
        return None if self.split is None else self.split.cutoff_date


def with_missing_indicators(frame: pd.DataFrame, signal_names: Sequence[str]) -> pd.DataFrame:
    """Add ``<signal>_missing`` (1.0 when the signal's score is null) for every signal.

    Missing is information here (no term contract means a monthly plan; no NPS answer means a
    customer who does not answer surveys), so the model sees it instead of a median guess.
    """
    out = frame.copy()
    for name in signal_names:
        out[f"{name}_missing"] = out[f"{name}_score"].isna().astype("float64")
    return out


def calibrate(
    history,
    signal_names: Sequence[str],
    minimums: Minimums,
    bands: Sequence[tuple[float, str]] | None = None,
    flag_band: str | None = None,
    windows: Windows | None = None,
) -> CalibrationRun:
    """Label, split walk-forward, and, above the minimums, fit and score the test period.

    Only snapshots with a health score take part (``scored_snapshots``). The minimums are judged
    on churn events (distinct account and churn date) and retained accounts (accounts with a
    known outcome and no churn event) on each side of the split: the test period (churn dated on
    or after the cutoff) for both scores, and the training snapshots too for the calibrated one.
    The signal-level model reads every signal's score and a missing-indicator per signal; the
    category-level model reads the four category scores. ``bands`` band the calibrated score
    (``model.score_bands`` of the seed) and ``flag_band`` (the var health_flag_band) sets the
    prior score's flag threshold, its upper bound; None: ``resolve_bands``. ``windows`` (the
    vars health_band_churn_horizon_days, health_flag_min/max_lead_days) set the label horizon,
    the walk-forward gap and the early warning's lead window; None: ``resolve_windows``.
    """
    health_bands, flag_threshold = resolve_bands(bands, flag_band)
    windows = resolve_windows(windows)
    scored, n_excluded = scored_snapshots(history)
    labelled = label_snapshots(
        with_missing_indicators(scored, signal_names), horizon_days=windows.horizon_days
    )
    signal_cols = [f"{name}_score" for name in signal_names]
    split = None
    counts = dict.fromkeys(
        ("train_churn_events", "train_retained_accounts", "test_churn_events",
         "test_retained_accounts", "train_snapshots", "train_churned"), 0
    )  # fmt: skip
    counts["excluded_snapshots"] = n_excluded
    test = labelled.iloc[:0].copy()
    if len(labelled):
        split = walk_forward_split(
            labelled, "snapshot_date", test_fraction=TEST_FRACTION,
            gap_days=windows.horizon_days,
        )  # fmt: skip
        cutoff = split.cutoff_date
        train = split.train[split.train["is_outcome_known"]]
        train_churned = train[train["churned_within_horizon"]]
        test = split.test[split.test["is_outcome_known"]].copy()
        test_events = _events(labelled[labelled["churn_date"] >= cutoff])
        counts.update(
            train_churn_events=len(_events(train_churned)),
            train_retained_accounts=_retained_accounts(train, train_churned["account_id"]),
            test_churn_events=len(test_events),
            test_retained_accounts=_retained_accounts(test, test_events["account_id"]),
            train_snapshots=len(train),
            train_churned=len(train_churned),
        )
    note = _excluded_note(n_excluded)
    m = minimums
    test_shortfalls = (
        shortfall(counts["test_churn_events"], m.churn_events, "churn event",
                  "in the test period", "calibration_min_churn_events"),
        shortfall(counts["test_retained_accounts"], m.retained_accounts, "retained account",
                  "in the test period", "calibration_min_retained_accounts"),
    )  # fmt: skip
    train_shortfalls = (
        shortfall(counts["train_churn_events"], m.churn_events, "churn event",
                  "in the training snapshots", "calibration_min_churn_events"),
        shortfall(counts["train_retained_accounts"], m.retained_accounts, "retained account",
                  "in the training snapshots", "calibration_min_retained_accounts"),
    )  # fmt: skip
    prior = judge(*test_shortfalls, note=note)
    calibrated = judge(*train_shortfalls, *test_shortfalls, note=note)

    signal_model = category_model = None
    test["calibrated_score"] = np.nan
    test["calibrated_band"] = None
    if calibrated.reported:
        signal_cols += [f"{name}_missing" for name in signal_names
                        if split.train[f"{name}_missing"].nunique() > 1]  # fmt: skip
        signal_model = fit_calibrated_weights(split.train, signal_cols)
        category_model = fit_calibrated_weights(split.train, [f"{c}_score" for c in CATEGORIES])
        test["calibrated_score"] = calibrated_health_score(score(signal_model, test)).to_numpy()
        test["calibrated_band"] = health_band(
            test["calibrated_score"], health_bands.score_bands
        ).to_numpy()
    return CalibrationRun(
        labelled, split, signal_model, category_model, signal_cols, test, counts, prior,
        calibrated, minimums, health_bands, flag_threshold, windows,
    )  # fmt: skip


WEIGHT_COLUMNS = {
    "level": object,
    "name": object,
    "weight_group": object,
    "feature": object,
    "coefficient": np.float64,
    "odds_ratio_per_sd": np.float64,
    "direction": object,
    "normalised_share": np.float64,
    "prior_weight": np.float64,
    "prior_share": np.float64,
    "share_change": np.float64,
    "calibrated_weight": np.float64,
}


def _prior_only_weights(priors: Mapping[str, float]) -> pd.DataFrame:
    """One row per prior feature with its prior weight and share, and no fitted figure."""
    features = [f"{name}_score" for name in priors]
    weights = np.array([float(v) for v in priors.values()])
    total = weights.sum()
    return pd.DataFrame(
        {
            "feature": pd.Series(features, dtype=object),
            "coefficient": np.nan,
            "odds_ratio_per_sd": np.nan,
            "direction": None,
            "normalised_share": np.nan,
            "prior_weight": weights,
            "prior_share": weights / total if total > 0 else np.nan,
            "share_change": np.nan,
        }
    )


def calibrated_weights(
    run: CalibrationRun,
    prior_signal_weights: Mapping[str, float],
    signal_categories: Mapping[str, str],
    prior_category_weights: Mapping[str, float],
) -> pd.DataFrame:
    """Learned weights beside the seed's priors, per signal and per category.

    ``calibrated_weight`` is the weight the SQL score would use if a team adopts calibration:
    within each level, the protective part of the coefficient (a higher score going with less
    churn) as a share of the level's total. A signal whose coefficient points the wrong way (a
    higher score going with more churn) gets no weight rather than a negative one.

    Below the minimums nothing is fitted: every signal and category keeps its prior (prior_weight
    and prior_share), the fitted columns are null, and ``status_reason`` says why.
    """
    parts = []
    category_groups = {c: "composite" for c in CATEGORIES}
    for level, model, priors, group_of in (
        ("signal", run.signal_model, prior_signal_weights, signal_categories),
        ("category", run.category_model, prior_category_weights, category_groups),
    ):
        if model is None:
            table = _prior_only_weights(priors)
        else:
            table = weights_table(model, {f"{k}_score": v for k, v in priors.items()})
        table.insert(0, "level", level)
        is_indicator = table["feature"].str.endswith("_missing")
        names = table["feature"].str.removesuffix("_score").str.removesuffix("_missing")
        table.insert(1, "name", names)
        table.insert(
            2,
            "weight_group",
            np.where(is_indicator, "missing_indicator", names.map(group_of).fillna("unknown")),
        )
        # indicators say how to read an absent signal; they take no share of the score
        coefficient = table["coefficient"].to_numpy(dtype=float)
        protective = np.where(is_indicator, 0.0, np.clip(-coefficient, 0, None))
        group_totals = (
            pd.Series(protective).groupby(table["weight_group"].to_numpy()).transform("sum")
        )
        totals = group_totals.to_numpy()
        calibrated = np.full(len(table), np.nan)
        np.divide(protective, totals, out=calibrated, where=(totals > 0) & ~is_indicator.to_numpy())
        table["calibrated_weight"] = calibrated
        parts.append(table)
    out = pd.concat(parts, ignore_index=True).astype(WEIGHT_COLUMNS)
    if run.calibrated.reported:
        out["train_snapshots"] = int(run.signal_model.n_train)
        out["train_churned"] = int(run.signal_model.n_churned)
    else:
        out["train_snapshots"] = int(run.counts["train_snapshots"])
        out["train_churned"] = int(run.counts["train_churned"])
    out["cutoff_date"] = pd.Series([run.cutoff_date] * len(out), dtype="datetime64[us]")
    return _with_status(
        out, run.calibrated, "calibrated weights not fitted; the prior weights stay"
    )


def _with_status(frame: pd.DataFrame, sufficiency: Sufficiency, consequence: str | None = None):
    """``frame`` with ``status`` and ``status_reason`` (the reason, then its consequence)."""
    out = frame.copy()
    out["status"] = sufficiency.status
    reason = sufficiency.reason
    if reason and consequence:
        reason = f"{reason}; {consequence}"
    out["status_reason"] = pd.Series([reason] * len(out), dtype=object, index=out.index)
    return out


def backtest_summary(run: CalibrationRun) -> pd.DataFrame:
    """ROC AUC, average precision, Brier and early warning of the prior and calibrated scores.

    Early warning flags the prior score below ``run.flag_threshold`` (the upper bound of the
    band health_flag_band: below 70, at risk or worse, as shipped), ``run.windows.min_lead_days``
    to ``max_lead_days`` (30 to 90) before the churn. The calibrated score lives
    on a probability scale, so it is flagged at the threshold that flags the same share of
    *training* snapshots: both scores are compared at the same alert volume, and the threshold
    is set before the test period is looked at.

    A score below its minimums (``run.prior``, ``run.calibrated``) keeps one row per metric with
    the counts (n, n_churned, churn_events) and every other value null.
    """
    test_start = run.cutoff_date
    horizon_days = run.windows.horizon_days
    thresholds = {"prior": run.flag_threshold, "calibrated": np.nan}
    window = None
    if run.calibrated.reported:
        train = run.split.train
        prior_flag_share = float((train["composite_score"] < run.flag_threshold).mean())
        train_calibrated = calibrated_health_score(score(run.signal_model, train)).to_numpy()
        thresholds["calibrated"] = float(np.quantile(train_calibrated, prior_flag_share))
    if run.prior.reported:
        # churns of the test period, warned by snapshots from up to a horizon before it: those
        # fall in the walk-forward gap, so neither score was fitted on them
        labelled = run.labelled
        window = labelled[
            (labelled["snapshot_date"] >= test_start - pd.Timedelta(days=horizon_days))
            & (labelled["churn_date"].isna() | (labelled["churn_date"] >= test_start))
        ].copy()
        window["calibrated_score"] = np.nan
        if run.calibrated.reported:
            window["calibrated_score"] = calibrated_health_score(
                score(run.signal_model, window)
            ).to_numpy()

    counts = {
        "n": float(len(run.test)),
        "n_churned": float(run.test["churned_within_horizon"].sum()),
        "churn_events": float(run.counts["test_churn_events"]),
    }
    rows = []
    for score_name, column, status in (
        ("prior", "composite_score", run.prior),
        ("calibrated", "calibrated_score", run.calibrated),
    ):
        if status.reported:
            risk = 1 - run.test[column].to_numpy() / 100
            metrics = summary_metrics(run.test["churned_within_horizon"], risk).iloc[0].to_dict()
            warning = early_warning(
                window, column, thresholds[score_name], lead_days=run.windows.min_lead_days,
                horizon_days=horizon_days, max_lead_days=run.windows.max_lead_days,
            ).iloc[0].to_dict()  # fmt: skip
            values = {**{m: float(metrics[m]) for m in SCORE_METRICS},
                      **{m: float(warning[m]) for m in WARNING_METRICS}}  # fmt: skip
        else:
            values = {m: counts.get(m, np.nan) for m in (*SCORE_METRICS, *WARNING_METRICS)}
        for metric in (*SCORE_METRICS, *WARNING_METRICS):
            target = TARGETS.get(metric, np.nan)
            rows.append(
                (score_name, metric, values[metric], target, thresholds[score_name],
                 status.status, status.reason)
            )  # fmt: skip
    out = pd.DataFrame(
        rows,
        columns=["score_name", "metric", "value", "target", "threshold", "status",
                 "status_reason"],
    ).astype({"value": np.float64, "target": np.float64, "threshold": np.float64})  # fmt: skip
    meets = out["value"] >= out["target"]
    out["meets_target"] = pd.array(
        np.where(out["target"].isna() | out["value"].isna(), None, meets), dtype="boolean"
    )
    out["test_period_start"] = pd.Series([test_start] * len(out), dtype="datetime64[us]")
    out["lead_days"] = run.windows.min_lead_days
    return out


def _insufficient_row(score_name: str, status: Sufficiency) -> pd.DataFrame:
    return pd.DataFrame(
        {"score_name": [score_name], "status": [status.status], "status_reason": [status.reason]}
    )


def backtest_deciles(run: CalibrationRun) -> pd.DataFrame:
    parts = []
    for score_name, column, status in (
        ("prior", "composite_score", run.prior),
        ("calibrated", "calibrated_score", run.calibrated),
    ):
        if not status.reported:
            parts.append(_insufficient_row(score_name, status))
            continue
        table = calibration_by_decile(
            run.test["churned_within_horizon"], 1 - run.test[column].to_numpy() / 100
        )
        table.insert(0, "score_name", score_name)
        parts.append(_with_status(table, status))
    return pd.concat(parts, ignore_index=True)


def backtest_bands(run: CalibrationRun) -> pd.DataFrame:
    parts = []
    for score_name, band_col, status in (
        ("prior", "band", run.prior),
        ("calibrated", "calibrated_band", run.calibrated),
    ):
        if not status.reported:
            parts.append(_insufficient_row(score_name, status))
            continue
        table = lift_by_band(run.test, band_col=band_col, band_order=run.bands.healthiest_first)
        table.insert(0, "score_name", score_name)
        parts.append(_with_status(table, status))
    return pd.concat(parts, ignore_index=True)


def backtest(run: CalibrationRun) -> pd.DataFrame:
    """The three backtest tables in one frame, told apart by ``section`` (summary | decile |
    band), so that one Python model fits once and the marts in front of it split the sections."""
    parts = [
        backtest_summary(run).assign(section="summary"),
        backtest_deciles(run).assign(section="decile"),
        backtest_bands(run).assign(section="band"),
    ]
    out = pd.concat(parts, ignore_index=True)
    # typed columns, so that DuckDB reads a column that is null throughout with its real type
    floats = ["value", "target", "threshold", "mean_predicted", "observed_rate",
              "min_predicted", "max_predicted", "churn_rate", "lift", "share_of_churn"]  # fmt: skip
    for column in (*floats, "decile", "n", "n_churned", "lead_days", "band"):
        if column not in out.columns:  # a section below its minimums has no such column
            out[column] = np.nan if column != "band" else None
    for column in floats:
        out[column] = pd.to_numeric(out[column], errors="raise").astype(np.float64)
    for column in ("decile", "n", "n_churned", "lead_days"):
        out[column] = pd.to_numeric(out[column], errors="raise").astype("Int64")
    out["band"] = out["band"].astype(object)
    out["meets_target"] = out["meets_target"].astype("boolean")
    out["test_period_start"] = out["test_period_start"].astype("datetime64[us]")
    return out


SIGNAL_FIGURES = (
    "churn_rate_flagged",
    "churn_rate_unflagged",
    "lift",
    "share_of_churn_events_flagged",
    "median_lead_days",
)


def predictive_signals(
    history,
    minimums: Minimums,
    bands: Sequence[tuple[float, str]] | None = None,
    flag_band: str | None = None,
    rules=None,
    windows: Windows | None = None,
) -> pd.DataFrame:
    """The playbook's predictive-signal table, measured on this book's whole labelled history.

    A signal's figures (rates, lift, share of churn flagged, lead time) are published when the
    history holds at least ``minimums.churn_events`` churn events and the signal split the
    accounts with a known outcome into at least ``minimums.signal_accounts_per_group`` flagged
    and as many unflagged ones (an account counts on a side if any of its snapshots does); the
    counts are published either way. ``rules`` are the flags (a table like the seed
    churn_signal_flags; None, for direct callers: the repository's seed), ``bands`` and
    ``flag_band`` the health threshold a rule may leave empty (``resolve_bands``), ``windows``
    the label horizon (``resolve_windows``).
    """
    rules = signal_flags(
        seed_signal_flags() if rules is None else rules, resolve_bands(bands, flag_band)[1]
    )
    horizon_days = resolve_windows(windows).horizon_days
    scored, n_excluded = scored_snapshots(history)
    labelled = label_snapshots(scored, horizon_days=horizon_days)
    flags = {
        name: labelled.eval(rule).fillna(False).astype(bool) if len(labelled)
        else pd.Series([], index=labelled.index, dtype=bool)
        for name, rule in rules.items()
    }  # fmt: skip
    table = signal_table(labelled, flags, horizon=horizon_days)
    table.insert(1, "rule", table["signal"].map(rules))
    known = labelled["is_outcome_known"].to_numpy(dtype=bool)
    accounts = labelled["account_id"].to_numpy()[known]
    n_events = len(_events(labelled))
    book = shortfall(n_events, minimums.churn_events, "churn event", "in the labelled history",
                     "calibration_min_churn_events")  # fmt: skip
    parts = []
    for row in table.itertuples(index=False):
        flagged = flags[row.signal].to_numpy(dtype=bool)[known]
        flagged_accounts = len(set(accounts[flagged]))
        unflagged_accounts = len(set(accounts[~flagged]))
        status = judge(
            book,
            shortfall(flagged_accounts, minimums.signal_accounts_per_group, "flagged account",
                      "", "signal_lift_min_accounts_per_group"),
            shortfall(unflagged_accounts, minimums.signal_accounts_per_group,
                      "unflagged account", "", "signal_lift_min_accounts_per_group"),
            note=_excluded_note(n_excluded),
        )  # fmt: skip
        parts.append(
            {"flagged_accounts": flagged_accounts, "unflagged_accounts": unflagged_accounts,
             "status": status.status, "status_reason": status.reason}
        )  # fmt: skip
    out = pd.concat([table, pd.DataFrame(parts, index=table.index)], axis=1)
    insufficient = out["status"] != REPORTED
    out.loc[insufficient, list(SIGNAL_FIGURES)] = np.nan
    return out.astype({"flagged_accounts": np.int64, "unflagged_accounts": np.int64})


SURVIVAL_COLUMNS = {
    "dimension_name": object,
    "dimension_value": object,
    "time": np.float64,
    "at_risk": "Int64",
    "events": "Int64",
    "censored": "Int64",
    "survival": np.float64,
    "status": object,
    "status_reason": object,
}


def survival_curves(first_churns, minimums: Minimums) -> pd.DataFrame:
    """Kaplan-Meier logo survival from first revenue, by signup cohort and by segment.

    ``first_churns``: one row per account with tenure_days (to first churn, or to as_of_date
    when it still pays), churned (bool), signup_cohort and segment.

    A group (one cohort, one segment) gets its curve when it has at least
    ``minimums.survival_accounts`` accounts and ``minimums.survival_events`` churns; otherwise
    one row with its counts (at_risk = its accounts, events, censored), no time or survival, and
    the reason. A dimension with no account at all gets one such row with a null value.
    """
    frame = as_pandas(first_churns)
    parts = []
    for dimension in ("signup_cohort", "segment"):
        if frame.empty:
            status = judge(
                shortfall(0, minimums.survival_accounts, "account", "", "survival_min_accounts")
            )
            parts.append(pd.DataFrame({"dimension_name": [dimension], "dimension_value": [None],
                                       "at_risk": [0], "events": [0], "censored": [0],
                                       "status": [status.status],
                                       "status_reason": [status.reason]}))  # fmt: skip
            continue
        for value, group in frame.groupby(dimension, sort=True, dropna=False):
            n_accounts = len(group)
            n_events = int(group["churned"].astype("boolean").fillna(False).sum())
            status = judge(
                shortfall(n_accounts, minimums.survival_accounts, "account", "in this group",
                          "survival_min_accounts"),
                shortfall(n_events, minimums.survival_events, "churn event", "in this group",
                          "survival_min_events"),
            )  # fmt: skip
            label = None if pd.isna(value) else value
            if status.reported:
                curve = kaplan_meier(group["tenure_days"], group["churned"])
            else:
                curve = pd.DataFrame({"at_risk": [n_accounts], "events": [n_events],
                                      "censored": [n_accounts - n_events]})  # fmt: skip
            curve.insert(0, "dimension_name", dimension)
            curve.insert(1, "dimension_value", label)
            parts.append(_with_status(curve, status))
    out = pd.concat(parts, ignore_index=True)
    for column, dtype in SURVIVAL_COLUMNS.items():
        if column not in out.columns:
            out[column] = np.nan if dtype == np.float64 else None
    return out[list(SURVIVAL_COLUMNS)].astype(SURVIVAL_COLUMNS)
