"""Point-in-time model predictions: each bar is scored only by a model trained before it.

A registered model records the last timestamp of its training rows (``train_end``). Its
labels look ``horizon`` bars ahead, so it has seen closes up to ``train_end + horizon`` bars.
:func:`predict_point_in_time` therefore lets a version score bar t only when t lies more than
``purge`` bars (``purge >= horizon``) after its ``train_end`` on the predicted symbol's own bar
index; earlier bars get NaN, or an earlier version of the same model whose window ended before
them. :class:`PointInTimeModel` turns those predictions into the confluence engine's model
component (a score in [0, 1], normalised against trailing predictions only).

The functions here are pure (no I/O); :func:`model_component_for` reads the registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.errors import ConfigError, DataError
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.models.factory import predict_rows
from trading_signals.signals.components import trailing_percentile

ScoreMethod = Literal["percentile", "tanh"]


@dataclass(frozen=True)
class ModelVersion:
    """One fitted model with the end of its training window.

    Attributes
    ----------
    model_id : str
        Registry id (``name/vNNNN``) or any label.
    model : estimator
        Fitted, with ``predict``.
    features : tuple of str
        Input columns, in training order.
    train_end : Timestamp
        Last timestamp of the training rows.
    purge : int
        Bars after ``train_end`` that may not be scored (at least the label horizon).
    """

    model_id: str
    model: Any
    features: tuple[str, ...]
    train_end: pd.Timestamp
    purge: int = 1

    def __post_init__(self) -> None:
        if self.purge < 0:
            raise ConfigError(f"model {self.model_id}: purge must be >= 0, got {self.purge}")
        if not self.features:
            raise ConfigError(f"model {self.model_id}: no feature columns recorded")


def first_scoring_position(index: pd.DatetimeIndex, train_end: pd.Timestamp, purge: int) -> int:
    """Return the position of the first bar of ``index`` that a model may score.

    Bars at or before ``train_end`` and the ``purge`` bars after it are excluded.

    >>> idx = pd.date_range("2024-01-01", periods=6, freq="D", tz="UTC")
    >>> first_scoring_position(idx, pd.Timestamp("2024-01-02", tz="UTC"), 2)
    4
    """
    return int(index.searchsorted(_same_tz(train_end, index), side="right")) + int(purge)


def assign_versions(index: pd.DatetimeIndex, versions: Sequence[ModelVersion]) -> np.ndarray:
    """Return, per bar, the position in ``versions`` of the model that scores it (-1: none).

    Each bar gets the version with the latest ``train_end`` among those allowed to score it
    (:func:`first_scoring_position`); ties keep the later entry of ``versions``.

    Notes
    -----
    Depends only on the bar timestamps and the versions' windows, never on bar values.
    """
    out = np.full(len(index), -1, dtype=np.int64)
    order = sorted(range(len(versions)), key=lambda k: (_utc(versions[k].train_end), k))
    for k in order:  # later train_end overwrites: the freshest eligible version wins
        start = first_scoring_position(index, versions[k].train_end, versions[k].purge)
        out[start:] = k
    return out


def predict_point_in_time(
    features: pd.DataFrame, versions: ModelVersion | Sequence[ModelVersion]
) -> pd.Series:
    """Predict every bar of one symbol with the freshest model trained before that bar.

    Parameters
    ----------
    features : DataFrame
        One symbol's features on a sorted DatetimeIndex, containing each version's columns.
    versions : ModelVersion or sequence of ModelVersion
        The model (and optionally earlier versions of it).

    Returns
    -------
    Series
        ``prediction`` per bar; NaN where no version may score the bar, or where an input
        feature is NaN (warm-up). ``attrs["model_id"]`` is the per-bar version id array.

    Raises
    ------
    DataError
        If the index is not a sorted DatetimeIndex or a version's feature column is missing.

    Notes
    -----
    No look-ahead: a row's prediction uses that row's features (which use bars ``<= t``) and
    a model whose training window ended more than ``purge`` bars before t. Sequence models
    also see the earlier rows as history (:func:`~trading_signals.models.factory.predict_rows`).
    """
    vs = [versions] if isinstance(versions, ModelVersion) else list(versions)
    if not vs:
        raise ConfigError("predict_point_in_time: no model versions given")
    index = features.index
    if not isinstance(index, pd.DatetimeIndex) or not index.is_monotonic_increasing:
        raise DataError("predict_point_in_time: features need a sorted DatetimeIndex (one symbol)")
    assigned = assign_versions(index, vs)
    pred = np.full(len(index), np.nan)
    for k, v in enumerate(vs):
        missing = [c for c in v.features if c not in features.columns]
        if missing:
            raise DataError(f"model {v.model_id}: features lack column(s) {missing}; compute the "
                            "features the model was trained with")
        mine = assigned == k
        if not mine.any():
            continue
        X = features.loc[:, list(v.features)].astype(np.float64)
        finite = np.isfinite(X.to_numpy()).all(axis=1)
        Xf = X[finite]
        rows = np.flatnonzero(mine[finite])
        if len(rows):
            pred[np.flatnonzero(finite)[rows]] = predict_rows(v.model, Xf, rows)
    ids = np.array([vs[k].model_id if k >= 0 else None for k in assigned.tolist()], dtype=object)
    out = pd.Series(pred, index=index, name="prediction")
    out.attrs["model_id"] = ids
    return out


def prediction_score(
    pred: pd.Series,
    *,
    method: ScoreMethod = "percentile",
    window: int = 252,
    min_periods: int = 20,
) -> pd.Series:
    """Map predictions to the component convention: a score in [0, 1], 0.5 neutral.

    ``percentile``: the prediction's percentile among the trailing ``window`` predictions
    (:func:`~trading_signals.signals.components.trailing_percentile`); robust to a model's
    scale and bias. ``tanh``: ``0.5 + 0.5 tanh(pred / rms)`` with ``rms`` the trailing
    root-mean-square prediction: keeps the sign of the expected return.

    >>> p = pd.Series([np.nan, 1.0, -1.0, 2.0, 0.5])
    >>> prediction_score(p, window=10, min_periods=2).round(3).tolist()
    [nan, nan, 0.0, 1.0, 0.333]

    Notes
    -----
    Backward-looking: the score at t uses predictions at bars ``<= t`` only. NaN predictions
    stay NaN (no opinion) and are not counted in the window.
    """
    if window < 2 or not 1 <= min_periods <= window:
        raise ConfigError(f"prediction_score: need window >= 2 and 1 <= min_periods <= window, "
                          f"got window={window}, min_periods={min_periods}")
    p = pred.astype(np.float64)
    if method == "percentile":
        out = trailing_percentile(p, window=window, min_periods=min_periods)
    elif method == "tanh":
        rms = np.sqrt((p * p).rolling(window, min_periods=min_periods).mean())
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (p / rms).where(rms > 0, 0.0).where(p.notna() & rms.notna())
        out = 0.5 + 0.5 * np.tanh(z)
    else:
        raise ConfigError(f"prediction_score: unknown method {method!r}; use 'percentile' or 'tanh'")
    return out.clip(0.0, 1.0).rename("model")


@dataclass(frozen=True)
class PointInTimeModel:
    """The confluence engine's model component built on point-in-time predictions.

    Calling it with a symbol's indicator frame (or any frame with the OHLCV columns) returns
    the ``model`` score in [0, 1]. Picklable (runs in Ray tasks).

    Attributes
    ----------
    versions : tuple of ModelVersion
        The model and the earlier versions allowed to fill bars before its window ended.
    computer : FeatureComputer or None
        Recomputes the model's features from the frame's OHLCV columns; None means the frame
        passed in already holds the feature columns.
    timeframe : str or None
        Bar timeframe (needed by higher-timeframe features).
    method, window, min_periods
        See :func:`prediction_score`.

    Notes
    -----
    No look-ahead: features at t use bars ``<= t``, the model scoring t was trained before t
    (:func:`predict_point_in_time`), and the score is normalised against earlier predictions.
    """

    versions: tuple[ModelVersion, ...]
    computer: FeatureComputer | None = None
    timeframe: str | None = None
    method: ScoreMethod = "percentile"
    window: int = 252
    min_periods: int = 20
    label: str = field(default="", compare=False)

    def inputs(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return the model's feature frame for ``frame``'s bars."""
        if self.computer is None:
            return frame
        missing = [c for c in OHLCV_COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(f"model {self.name}: input lacks OHLCV column(s) {missing}")
        bars = frame.loc[:, list(OHLCV_COLUMNS)]
        bars.attrs = {**frame.attrs, "timeframe": self.timeframe or frame.attrs.get("timeframe")}
        return self.computer(bars)

    @property
    def name(self) -> str:
        return self.label or self.versions[-1].model_id

    def predictions(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return ``prediction``, ``score`` and ``model_id`` (the version used) per bar."""
        pred = predict_point_in_time(self.inputs(frame), self.versions)
        score = prediction_score(pred, method=self.method, window=self.window,
                                 min_periods=self.min_periods)
        ids = pd.Series(pred.attrs["model_id"], index=pred.index, dtype=object)
        return pd.DataFrame({"prediction": pred.to_numpy(), "score": score.to_numpy(),
                             "model_id": ids.where(pred.notna(), None).to_numpy()},
                            index=pred.index)

    def __call__(self, frame: pd.DataFrame) -> pd.Series:
        pred = predict_point_in_time(self.inputs(frame), self.versions)
        score = prediction_score(pred, method=self.method, window=self.window,
                                 min_periods=self.min_periods)
        return score.set_axis(frame.index)


def _utc(ts: Any) -> pd.Timestamp:
    t = pd.Timestamp(ts)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def _same_tz(ts: Any, index: pd.DatetimeIndex) -> pd.Timestamp:
    t = _utc(ts)
    return t.tz_localize(None) if index.tz is None else t.tz_convert(index.tz)


def load_versions(registry: Any, model_id: str, *, history: bool = True) -> tuple[ModelVersion, ...]:
    """Load ``model_id`` (and, with ``history``, its earlier versions) from a registry.

    Earlier versions qualify when they share the model's name, class and feature columns and
    their training window ended before the model's; they then score the bars between their
    own window and the model's. Returned oldest window first.

    Raises
    ------
    DataError
        If the manifest has no ``train_end`` (it could not be placed in time).
    """
    man = registry.manifest(model_id)
    mans = [man]
    if history:
        end = _manifest_end(man)
        for other in registry.list():
            if (other.get("name") == man["name"] and other["version"] < man["version"]
                    and other.get("class") == man.get("class")
                    and list(other.get("features", [])) == list(man["features"])
                    and other.get("train_end") and _utc(other["train_end"]) < end):
                mans.append(other)
    mans.sort(key=lambda m: (_manifest_end(m), m["version"]))
    return tuple(ModelVersion(model_id=m["model_id"], model=registry.load(m["model_id"]),
                              features=tuple(m["features"]), train_end=_manifest_end(m),
                              purge=manifest_purge(m)) for m in mans)


def manifest_purge(man: dict[str, Any]) -> int:
    """Bars a version must wait after ``train_end``: ``extra.purge``, else the label horizon."""
    extra = man.get("extra") or {}
    if extra.get("purge") is not None:
        return int(extra["purge"])
    horizon = ((extra.get("run_config") or {}).get("models") or {}).get("horizon")
    return int(extra.get("horizon") or horizon or 1)


def manifest_features(man: dict[str, Any]) -> FeatureComputer | None:
    """Return how to recompute a version's features from bars (None if not recorded).

    ``extra.feature_computer`` (models trained by :mod:`trading_signals.models.training`) or
    the ``features`` section of ``extra.run_config`` (models trained by ``tsig train``).
    """
    extra = man.get("extra") or {}
    fc = extra.get("feature_computer")
    if fc is not None:
        spec = fc.get("spec")
        return FeatureComputer(spec=None if spec is None else tuple(spec), ml=bool(fc.get("ml", True)),
                               higher_timeframes=tuple(fc.get("higher_timeframes", ())))
    run = extra.get("run_config")
    if run and "features" in run:
        f = run["features"]
        spec = f.get("indicators")
        return FeatureComputer(spec=None if spec is None else tuple(spec),
                               ml=bool(f.get("ml_features", True)),
                               higher_timeframes=tuple(f.get("higher_timeframes", ())))
    return None


def model_component_for(
    model_id: str,
    registry: Any,
    *,
    history: bool = True,
    method: ScoreMethod = "percentile",
    window: int = 252,
    min_periods: int = 20,
    timeframe: str | None = None,
) -> PointInTimeModel:
    """Build the confluence engine's model component for a registered model.

    Parameters
    ----------
    model_id : str
        ``name/vNNNN``, or ``name`` for its latest version.
    registry : ModelRegistry or str or Path
        The registry (or its directory).
    history : bool
        Let earlier versions of the same model score the bars before this one's window ended.
    method, window, min_periods
        Score normalisation (:func:`prediction_score`).
    timeframe : str, optional
        Bar timeframe of the symbols it will score (default: the frames' ``attrs``).

    Returns
    -------
    PointInTimeModel
        Pass it as ``model=`` to :func:`trading_signals.signals.engine.generate_signals`.

    Raises
    ------
    DataError
        Unknown model, or features that cannot be recomputed from bars (e.g. a synthetic
        universe's planted signal).
    """
    from trading_signals.models.registry import ModelRegistry

    reg = registry if hasattr(registry, "manifest") else ModelRegistry(registry)
    versions = load_versions(reg, model_id, history=history)
    newest = reg.manifest(model_id)
    computer = manifest_features(newest)
    if computer is None:
        raise DataError(f"model {newest['model_id']}: its manifest does not say how its features "
                        "were computed; retrain it with `tsig train` or models.training")
    if "planted" in newest["features"]:
        raise DataError(f"model {newest['model_id']}: feature 'planted' is a synthetic universe's "
                        "ground truth and cannot be computed from bars; train without it")
    return PointInTimeModel(versions=versions, computer=computer, timeframe=timeframe,
                            method=method, window=window, min_periods=min_periods,
                            label=newest["model_id"])


def _manifest_end(man: dict[str, Any]) -> pd.Timestamp:
    if not man.get("train_end"):
        raise DataError(f"model {man.get('model_id')}: manifest has no train_end; it cannot be "
                        "placed in time, so it cannot score bars point-in-time")
    return _utc(man["train_end"])
