"""Train a small model on the first part of a universe (its training window) and register it.

This is what the study runs for ``study.model: train`` and what the demo shows: a seeded
LightGBM fitted only on bars before a cut-off, so every bar after the cut-off can be scored
point-in-time (:mod:`trading_signals.models.pit`) without the model having seen it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.errors import ConfigError, DataError
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.models.base import forward_return, make_dataset
from trading_signals.models.evaluate import rank_information_coefficient

#: Small, fast, deterministic LightGBM parameters for the demo-sized model.
DEMO_PARAMS: dict[str, Any] = {"n_estimators": 60, "learning_rate": 0.05, "num_leaves": 15,
                               "min_child_samples": 200, "random_state": 0, "n_jobs": 1}


@dataclass(frozen=True)
class TrainingWindow:
    """The training window of a universe: rows strictly before ``cutoff`` (and their labels)."""

    cutoff: pd.Timestamp
    n_dates: int
    n_train_dates: int


def training_window(bars: Mapping[str, pd.DataFrame], *, train_fraction: float) -> TrainingWindow:
    """Return the cut-off: the first timestamp after the first ``train_fraction`` of all dates.

    >>> idx = pd.date_range("2024-01-01", periods=10, freq="D", tz="UTC")
    >>> w = training_window({"A": pd.DataFrame(index=idx)}, train_fraction=0.6)
    >>> str(w.cutoff.date()), w.n_train_dates
    ('2024-01-07', 6)
    """
    if not 0.0 < train_fraction < 1.0:
        raise ConfigError(f"train_fraction must be in (0, 1), got {train_fraction}")
    if not bars:
        raise DataError("training_window: no bars given")
    frames = iter(bars.values())
    dates = pd.DatetimeIndex(next(frames).index)
    for f in frames:  # most symbols share a calendar: equals() is cheap, union() only if not
        if not f.index.equals(dates):
            dates = dates.union(f.index)
    dates = dates.unique().sort_values()
    n_train = int(len(dates) * train_fraction)
    if n_train < 2 or n_train >= len(dates):
        raise DataError(f"training_window: {len(dates)} dates leave no training or no later bars "
                        f"with train_fraction={train_fraction}")
    return TrainingWindow(cutoff=dates[n_train], n_dates=len(dates), n_train_dates=n_train)


def training_panel(
    bars: Mapping[str, pd.DataFrame],
    *,
    cutoff: pd.Timestamp,
    horizon: int,
    computer: FeatureComputer,
    max_rows: int | None = None,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.Series]:
    """Return ``(X, y)`` built from the bars strictly before ``cutoff`` only.

    Features and labels are computed on the truncated bars, so no value at or after the
    cut-off can reach a feature or a label: the last ``horizon`` rows of each symbol have no
    label and are dropped (that is the purge). ``max_rows`` keeps about that many rows: each
    symbol's rows are sampled independently with a generator seeded by ``(seed, symbol
    position)`` before stacking (stacking every row first costs more than training).
    """
    feats: dict[str, pd.DataFrame] = {}
    labels: dict[str, pd.Series] = {}
    for sym in sorted(bars):
        b = bars[sym]
        b = b.loc[b.index < cutoff]
        if len(b) <= horizon + 1:
            continue
        feats[sym] = computer(b)
        labels[sym] = forward_return(b["close"], horizon=horizon)
    if not feats:
        raise DataError(f"training_panel: no symbol has more than {horizon + 1} bars before {cutoff}")
    total = sum(len(f) for f in feats.values())
    if max_rows is not None and total > max_rows:
        frac = max_rows / total
        for i, sym in enumerate(sorted(feats)):
            keep = np.random.default_rng([seed, i]).random(len(feats[sym])) < frac
            feats[sym], labels[sym] = feats[sym][keep], labels[sym][keep]
    X, y, _ = make_dataset(feats, labels)
    return X, y


def train_window_model(
    bars: Mapping[str, pd.DataFrame],
    *,
    registry: Any,
    train_fraction: float = 0.6,
    horizon: int = 5,
    name: str = "demo-lightgbm",
    seed: int = 0,
    max_rows: int | None = 40_000,
    computer: FeatureComputer | None = None,
    params: Mapping[str, Any] | None = None,
    reuse: bool = True,
) -> str:
    """Train a seeded LightGBM on the universe's training window, register it, return its id.

    Parameters
    ----------
    bars : mapping of str to DataFrame
        Canonical OHLCV frames by symbol (``attrs["timeframe"]`` is recorded).
    registry : ModelRegistry or str or Path
        Where to register the model.
    train_fraction : float
        Share of all dates (union over symbols) in the training window.
    horizon : int
        Label = ``close[t+horizon] / close[t] - 1``; also the purge of point-in-time scoring.
    name : str
        Registry name (a new version per new training; see ``reuse``).
    seed : int
        Seeds the row subsample and LightGBM.
    max_rows : int or None
        Subsample the training rows to about this many (speed; None keeps all).
    computer : FeatureComputer, optional
        Feature set (default: the 17 ML features, fast and scale-free).
    params : mapping, optional
        LightGBM parameters (default :data:`DEMO_PARAMS`).
    reuse : bool
        Return the existing version of ``name`` trained with the same settings on the same
        bars (its ``config_id`` covers both) instead of registering an identical copy.

    Returns
    -------
    str
        The registered model id (``name/vNNNN``).

    Notes
    -----
    The model sees only bars before the cut-off; its manifest records ``train_end`` (last
    training row) and ``purge = horizon``, so :func:`~trading_signals.models.pit.predict_point_in_time`
    scores exactly the bars from the cut-off on. Same inputs and seed, same model.
    """
    from trading_signals.models.gbm import LightGBMRegressor
    from trading_signals.models.registry import ModelRegistry

    computer = computer or FeatureComputer(spec=(), ml=True)
    window = training_window(bars, train_fraction=train_fraction)
    p = {**DEMO_PARAMS, **dict(params or {}), "random_state": seed}
    settings = {"train_fraction": train_fraction, "horizon": horizon, "seed": seed,
                "max_rows": max_rows, "params": p, "computer": asdict(computer),
                "cutoff": window.cutoff.isoformat(), "data": _bars_digest(bars, window.cutoff)}
    cid = _digest(settings)
    reg = registry if hasattr(registry, "register") else ModelRegistry(registry)
    if reuse:
        same = [m for m in reg.list() if m.get("name") == name and m.get("config_id") == cid]
        if same:
            return str(same[-1]["model_id"])
    X, y = training_panel(bars, cutoff=window.cutoff, horizon=horizon, computer=computer,
                          max_rows=max_rows, seed=seed)
    model = LightGBMRegressor(**p).fit(X, y)
    ts = X.index.get_level_values(0)
    ic = rank_information_coefficient(pd.Series(model.predict(X), index=X.index), y)
    in_sample_ic = float(ic.mean()) if len(ic) else float("nan")  # in-sample: a sanity check only
    timeframe = next(iter(bars.values())).attrs.get("timeframe")
    return str(reg.register(
        model, name=name, config_id=cid, features=[str(c) for c in X.columns],
        train_start=ts.min(), train_end=ts.max(), metrics={"in_sample_rank_ic": in_sample_ic},
        extra={"horizon": horizon, "purge": horizon, "timeframe": timeframe,
               "train_fraction": train_fraction, "cutoff": window.cutoff.isoformat(),
               "n_train_rows": len(X), "n_symbols": len(bars), "seed": seed,
               "feature_computer": {"spec": _jsonable(computer.spec), "ml": computer.ml,
                                    "higher_timeframes": list(computer.higher_timeframes)}},
    ))


def _jsonable(spec: Any) -> Any:
    return None if spec is None else [dict(s) if isinstance(s, Mapping) else s for s in spec]


def _bars_digest(bars: Mapping[str, pd.DataFrame], cutoff: pd.Timestamp) -> str:
    # Fingerprint of exactly the bars training may read (symbol names, stamps and values).
    h = hashlib.sha256()
    for sym in sorted(bars):
        b = bars[sym]
        h.update(sym.encode())
        h.update(pd.util.hash_pandas_object(b.loc[b.index < cutoff], index=True).to_numpy().tobytes())
    return h.hexdigest()


def _digest(settings: Mapping[str, Any]) -> str:
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
