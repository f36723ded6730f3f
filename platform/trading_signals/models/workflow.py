"""Train -> hold-out evaluation -> register, shared by ``tsig train``, ``tsig tune`` and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.errors import ConfigError
from trading_signals.models.evaluate import evaluate_predictions
from trading_signals.models.factory import build_model, predict_rows
from trading_signals.observability.metrics import gauge


@dataclass(frozen=True)
class Holdout:
    """Row positions of the training part and the held-out test part of a panel."""

    train: np.ndarray
    test: np.ndarray


def holdout_split(X: pd.DataFrame, *, test_bars: int, purge: int) -> Holdout:
    """Hold out the last ``test_bars`` unique timestamps; drop ``purge`` before them from training.

    Notes
    -----
    Labels at t look ``horizon`` bars ahead, so ``purge >= horizon`` keeps every training label
    inside the training period.
    """
    ts = X.index.get_level_values(0)
    uniq = ts.unique().sort_values()
    if test_bars == 0:
        return Holdout(np.arange(len(X)), np.empty(0, dtype=np.int64))
    if test_bars + purge >= len(uniq) - 1:
        raise ConfigError(f"models.test_bars={test_bars}: only {len(uniq)} dates; use fewer test bars")
    test_start, train_stop = uniq[len(uniq) - test_bars], uniq[len(uniq) - test_bars - purge]
    return Holdout(np.flatnonzero(ts < train_stop), np.flatnonzero(ts >= test_start))


def fit_and_score(family: str, params: dict[str, Any], X: pd.DataFrame, y: pd.Series,
                  split: Holdout) -> tuple[Any, dict[str, float], pd.Series | None]:
    """Fit on the training rows; return the model, hold-out metrics and hold-out predictions."""
    model = build_model(family, params).fit(X.iloc[split.train], y.iloc[split.train])
    if len(split.test) == 0:
        return model, {}, None
    pred = pd.Series(predict_rows(model, X, split.test), index=X.index[split.test], name="prediction")
    scores = evaluate_predictions(pred, y.iloc[split.test])
    gauge("tsig_model_accuracy").set(scores["directional_accuracy"], {"model": family})
    gauge("tsig_model_ic").set(scores["ic"], {"model": family})
    return model, scores, pred


def window_of(X: pd.DataFrame, rows: np.ndarray) -> tuple[str | None, str | None]:
    """Return the first and last timestamp (ISO) of the given rows."""
    if len(rows) == 0:
        return None, None
    ts = X.index.get_level_values(0)[rows]
    return pd.Timestamp(ts.min()).isoformat(), pd.Timestamp(ts.max()).isoformat()
