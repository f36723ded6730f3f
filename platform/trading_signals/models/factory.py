"""Model families by registry name, and the one core objective Tune trials call per fold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.errors import ConfigError
from trading_signals.models.evaluate import evaluate_predictions
from trading_signals.models.splits import purged_walk_forward_splits


def _lightgbm(**p: Any) -> Any:
    from trading_signals.models.gbm import LightGBMRegressor

    return LightGBMRegressor(**p)


def _ensemble(**p: Any) -> Any:
    from trading_signals.models.ensemble import StackedEnsemble

    return StackedEnsemble(**p)


def _lstm(**p: Any) -> Any:
    from trading_signals.models.lstm import AttentionLSTMRegressor

    return AttentionLSTMRegressor(**p)


MODEL_FAMILIES: dict[str, Callable[..., Any]] = {"lightgbm": _lightgbm, "ensemble": _ensemble, "lstm": _lstm}
_INT_PARAMS = {"n_estimators", "num_leaves", "max_depth", "min_child_samples", "min_samples_leaf", "seq_len",
               "hidden_size", "num_layers", "num_heads", "batch_size", "max_epochs", "patience", "n_splits"}


def build_model(family: str, params: dict[str, Any] | None = None) -> Any:
    """Return an unfitted estimator of ``family`` (``lightgbm``, ``ensemble`` or ``lstm``).

    Integer hyper-parameters coming from a search (e.g. ``16.0``) are cast to ``int``.
    """
    if family not in MODEL_FAMILIES:
        raise ConfigError(f"models.name: unknown model family {family!r}; choose one of {sorted(MODEL_FAMILIES)}")
    clean = {k: (int(v) if k in _INT_PARAMS and isinstance(v, float) else v) for k, v in (params or {}).items()}
    try:
        return MODEL_FAMILIES[family](**clean)
    except TypeError as exc:
        raise ConfigError(f"models.params: {exc}; check the parameter names of {family!r}") from exc


def predict_rows(model: Any, X: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Predict ``X.iloc[rows]``; sequence models also see the earlier rows as history.

    Notes
    -----
    ``X`` must be sorted by timestamp: the history passed is every row up to the last row
    predicted, so no later row can influence a prediction.
    """
    if hasattr(model, "seq_len"):
        stop = int(rows.max()) + 1
        return np.asarray(model.predict(X.iloc[:stop]))[rows]
    return np.asarray(model.predict(X.iloc[rows]))


def fold_score(family: str, params: dict[str, Any], X: pd.DataFrame, y: pd.Series,
               train_idx: np.ndarray, test_idx: np.ndarray) -> dict[str, float]:
    """Fit on ``train_idx`` rows, score the ``test_idx`` rows; the objective of one Tune step."""
    model = build_model(family, params).fit(X.iloc[train_idx], y.iloc[train_idx])
    return evaluate_predictions(predict_rows(model, X, test_idx), y.iloc[test_idx])


def make_folds(X: pd.DataFrame, *, n_splits: int, purge: int, embargo: int = 0,
               test_size: int | None = None, train_size: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return purged walk-forward folds over the panel's unique timestamps."""
    return purged_walk_forward_splits(X.index.get_level_values(0), n_splits=n_splits, test_size=test_size,
                                      train_size=train_size, purge=purge, embargo=embargo)


def cross_validate(family: str, params: dict[str, Any], X: pd.DataFrame, y: pd.Series,
                   folds: list[tuple[np.ndarray, np.ndarray]]) -> list[dict[str, float]]:
    """Serial core path of a Tune trial: one :func:`fold_score` per fold, in time order."""
    return [fold_score(family, params, X, y, tr, te) for tr, te in folds]
