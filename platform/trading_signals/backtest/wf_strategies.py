"""Walk-forward strategies beyond the SMA cross: the confluence strategy and a retrained model.

Both follow :class:`~trading_signals.backtest.walkforward.WalkForwardStrategy`: ``fit(train)``
chooses parameters from the training bars only, ``positions(history, params)`` turns the bars
up to the end of the test block into causal target exposures. Both are frozen dataclasses
(picklable, so they run as Ray tasks) and deterministic (no global RNG; LightGBM seeded and
single-threaded), and their parameters are JSON-able (checkpointed per window).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.backtest import strategies
from trading_signals.backtest._inputs import PERIODS_PER_YEAR
from trading_signals.config.signals import SignalsConfig, SignalThresholds
from trading_signals.errors import ConfigError, DataError
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.models.base import forward_return, make_dataset
from trading_signals.models.pit import ModelVersion, predict_point_in_time
from trading_signals.signals.components import ModelComponent
from trading_signals.signals.engine import compute_components, indicator_frame
from trading_signals.signals.fusion import fuse_arrays, fusion_weights


#: Component weight presets the confluence search tries (``model`` is used only with a model).
WEIGHT_SETS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("trend", 0.25), ("momentum", 0.25), ("volatility", 0.10), ("volume", 0.15), ("model", 0.10)),
    (("trend", 0.50), ("momentum", 0.20), ("volatility", 0.10), ("volume", 0.20), ("model", 0.10)),
    (("trend", 0.20), ("momentum", 0.50), ("volatility", 0.10), ("volume", 0.20), ("model", 0.10)),
    (("trend", 0.25), ("momentum", 0.25), ("volatility", 0.25), ("volume", 0.25), ("model", 0.25)),
)


@dataclass(frozen=True)
class ConfluenceSearch:
    """Search the confluence weights and score thresholds per window, on the training bars.

    Each candidate is a weight preset (``weight_sets``) and a symmetric band: long when the
    fused score is ``>= 0.5 + band``, short (flat with ``long_only``) when ``<= 0.5 - band``,
    as :func:`~trading_signals.backtest.strategies.confluence` with ``buy``/``sell``. The
    candidate with the best in-sample Sharpe (close-to-close, positions held from the next
    bar, costs per unit of turnover) wins; ties keep the first candidate.

    Parameters
    ----------
    weight_sets : tuple
        Presets as ``((component, weight), ...)``; ``model`` entries are dropped without a model.
    bands : tuple of float
        Half-widths of the hold band around 0.5, each in (0, 0.5).
    model : ModelComponent, optional
        A point-in-time model component (e.g. :class:`~trading_signals.models.pit.PointInTimeModel`).
    config : SignalsConfig, optional
        Warm-up policy and volatility window (weights and thresholds are searched).

    Notes
    -----
    ``fit`` sees only the training slice (components are computed on it alone, so warm-up
    starts again inside it); ``positions`` computes components on the history up to the end
    of the test block, and every component at bar t uses bars ``<= t``.
    """

    weight_sets: tuple[tuple[tuple[str, float], ...], ...] = WEIGHT_SETS
    bands: tuple[float, ...] = (0.05, 0.10, 0.15)
    long_only: bool = False
    commission_bps: float = 0.0
    slippage_bps: float = 0.0
    model: ModelComponent | None = None
    config: SignalsConfig | None = None
    name: str = "confluence_search"

    def __post_init__(self) -> None:
        if not self.weight_sets or not self.bands:
            raise ConfigError("ConfluenceSearch: give at least one weight set and one band")
        bad = [b for b in self.bands if not 0.0 < b < 0.5]
        if bad:
            raise ConfigError(f"ConfluenceSearch: bands {bad} must lie in (0, 0.5)")

    def candidates(self) -> list[tuple[dict[str, float], float]]:
        """Every (weights, band) pair the search tries: the true number of trials."""
        out = []
        for ws in self.weight_sets:
            weights = {c: float(w) for c, w in ws if c != "model" or self.model is not None}
            fusion_weights(weights, self._cfg().required_components)  # fail early on a bad preset
            out.extend((weights, float(b)) for b in self.bands)
        return out

    def fit(self, train: pd.DataFrame) -> dict[str, Any]:
        comps = self._components(train)
        ret = train["close"].pct_change().to_numpy(dtype=np.float64)
        cost = (self.commission_bps + self.slippage_bps) * 1e-4
        sharpes = np.array([_per_bar_sharpe(self._targets(comps, w, b), ret, cost)
                            for w, b in self.candidates()])
        if not np.isfinite(sharpes).any():
            raise ConfigError("walk-forward: no confluence candidate produced a finite Sharpe on a "
                              "training window; use longer training windows (warm-up is ~50 bars)")
        best = int(np.nanargmax(sharpes))
        weights, band = self.candidates()[best]
        ppy = PERIODS_PER_YEAR.get(train.attrs.get("timeframe") or "1d", 252)
        return {
            **{f"w_{c}": w for c, w in weights.items()},
            "buy": 0.5 + band, "sell": 0.5 - band,
            "is_sharpe": float(sharpes[best] * np.sqrt(ppy)),
            "n_trials": len(sharpes),
            "trial_sharpe_var": float(np.nanvar(sharpes, ddof=1)) if len(sharpes) > 1 else 0.0,
        }

    def positions(self, history: pd.DataFrame, params: Mapping[str, Any]) -> pd.Series:
        weights = {k[2:]: float(v) for k, v in params.items() if k.startswith("w_")}
        band = float(params["buy"]) - 0.5
        comps = self._components(history)
        return pd.Series(self._targets(comps, weights, band), index=history.index, name="confluence")

    def _cfg(self) -> SignalsConfig:
        return self.config or SignalsConfig()

    def _components(self, bars: pd.DataFrame) -> pd.DataFrame:
        return compute_components(indicator_frame(_writable(bars)), model=self.model,
                                  config=self._cfg())

    def _targets(self, comps: pd.DataFrame, weights: dict[str, float], band: float) -> np.ndarray:
        cfg = self._cfg()
        names, w = fusion_weights(weights, cfg.required_components)
        scores = comps.loc[:, names].to_numpy(dtype=np.float64)
        score = fuse_arrays(scores, names, w, thresholds=SignalThresholds(),
                            required=cfg.required_components, min_coverage=cfg.min_coverage,
                            score_only=True)["confluence_score"]
        frame = pd.DataFrame({"confluence_score": score}, index=comps.index)
        pos = strategies.confluence(frame, buy=0.5 + band, sell=0.5 - band, long_only=self.long_only)
        return pos.to_numpy(dtype=np.float64)


@dataclass(frozen=True)
class ModelSearch:
    """Retrain a LightGBM per window on its training bars and trade its test-bar predictions.

    Labels are ``close[t+horizon] / close[t] - 1`` computed on the training slice alone, so the
    last ``horizon`` rows have none (the purge); ``embargo`` drops further rows. Each window's
    model is stored in its parameters as LightGBM text and predicts point-in-time
    (:func:`~trading_signals.models.pit.predict_point_in_time`): a bar is scored only when it
    lies more than ``horizon + embargo`` bars after the last training row. Positions:
    +1 when the prediction is above ``threshold``, -1 (0 with ``long_only``) below ``-threshold``.

    With a ``grid`` of parameter overrides, each candidate is fitted on the first rows of the
    training window and scored by the Sharpe of those positions on its last ``validation``
    share (after a ``horizon + embargo`` gap); the best is refitted on all training rows.
    ``n_trials`` and the trial Sharpe variance feed the deflated Sharpe ratio.

    Notes
    -----
    Deterministic: LightGBM runs single-threaded with ``random_state=seed``.
    """

    horizon: int = 1
    embargo: int = 0
    params: tuple[tuple[str, Any], ...] = (("n_estimators", 50), ("learning_rate", 0.05),
                                           ("num_leaves", 7), ("min_child_samples", 50))
    grid: tuple[tuple[tuple[str, Any], ...], ...] = ()
    validation: float = 0.3
    computer: FeatureComputer = field(default_factory=lambda: FeatureComputer(spec=(), ml=True))
    threshold: float = 0.0
    long_only: bool = False
    seed: int = 0
    name: str = "model_search"

    def __post_init__(self) -> None:
        if self.horizon < 1 or self.embargo < 0:
            raise ConfigError(f"ModelSearch: need horizon >= 1 and embargo >= 0, got "
                              f"{self.horizon} and {self.embargo}")
        if not 0.0 < self.validation < 1.0:
            raise ConfigError(f"ModelSearch: validation must be in (0, 1), got {self.validation}")

    def candidates(self) -> list[dict[str, Any]]:
        """The parameter sets tried per window: ``params`` updated by each ``grid`` entry."""
        base = dict(self.params)
        return [{**base, **dict(g)} for g in self.grid] if self.grid else [base]

    def fit(self, train: pd.DataFrame) -> dict[str, Any]:
        train = _writable(train)
        X, y = self._panel(train)
        cands = self.candidates()
        sharpes = self._validate(train, X, y, cands) if len(cands) > 1 else np.zeros(1)
        best = int(np.nanargmax(sharpes)) if np.isfinite(sharpes).any() else 0
        model = self._fit(cands[best], X, y)
        chosen = {f"p_{k}": v for k, v in (dict(self.grid[best]) if self.grid else {}).items()}
        return {
            **chosen,
            "model_train_end": X.index.get_level_values(0).max().isoformat(),
            "model_purge": self.horizon + self.embargo,
            "n_train_rows": len(X),
            "n_trials": len(cands),
            "trial_sharpe_var": float(np.nanvar(sharpes, ddof=1)) if len(cands) > 1 else 0.0,
            "model": {"format": "lightgbm-text", "features": [str(c) for c in X.columns],
                      "text": model.to_text()},
        }

    def _panel(self, train: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        sym = str(train.attrs.get("symbol") or "symbol")
        label = forward_return(train["close"], horizon=self.horizon)
        if self.embargo:  # the last `horizon` labels are NaN already; drop `embargo` more
            label.iloc[max(0, len(label) - self.horizon - self.embargo):] = np.nan
        try:
            X, y, _ = make_dataset({sym: self.computer(train)}, {sym: label})
        except DataError as exc:
            raise ConfigError(f"walk-forward model: no usable training rows in a window ({exc}); "
                              "use longer training windows") from exc
        return X, y

    def _fit(self, params: Mapping[str, Any], X: pd.DataFrame, y: pd.Series) -> Any:
        from trading_signals.models.gbm import LightGBMRegressor

        return LightGBMRegressor(**{**dict(params), "random_state": self.seed, "n_jobs": 1}).fit(X, y)

    def _validate(self, train: pd.DataFrame, X: pd.DataFrame, y: pd.Series,
                  cands: list[dict[str, Any]]) -> np.ndarray:
        # Inner split of the training rows: fit on the first part, trade the last `validation`
        # share; `horizon + embargo` rows between them keep inner labels off validation bars.
        n_val = int(len(X) * self.validation)
        n_fit = len(X) - n_val - self.horizon - self.embargo
        if n_fit < 50 or n_val < 20:
            raise ConfigError(f"walk-forward model: {len(X)} training rows are too few for a "
                              f"validation share of {self.validation}; use longer training windows")
        ts = X.index.get_level_values(0)[len(X) - n_val:]
        ret = train["close"].pct_change().reindex(ts).to_numpy(dtype=np.float64)
        out = []
        for params in cands:
            pred = self._fit(params, X.iloc[:n_fit], y.iloc[:n_fit]).predict(X.iloc[len(X) - n_val:])
            pos = np.where(pred > self.threshold, 1.0, np.where(
                pred < -self.threshold, 0.0 if self.long_only else -1.0, 0.0))
            out.append(_per_bar_sharpe(pos, ret, 0.0))
        return np.array(out)

    def positions(self, history: pd.DataFrame, params: Mapping[str, Any]) -> pd.Series:
        from trading_signals.models.gbm import LightGBMRegressor

        spec = params["model"]
        model = LightGBMRegressor.from_text(spec["text"], features=list(spec["features"]))
        version = ModelVersion("window", model, tuple(spec["features"]),
                               pd.Timestamp(params["model_train_end"]),
                               int(params["model_purge"]))
        pred = predict_point_in_time(self.computer(_writable(history)), version)
        return strategies.model(pred, threshold=self.threshold, long_short=not self.long_only)


def _writable(bars: pd.DataFrame) -> pd.DataFrame:
    # Frames arriving through Ray's object store hold read-only arrays, which some numba
    # indicator kernels cannot type; a copy of one symbol's bars is cheap.
    if all(bars[c].to_numpy().flags.writeable for c in bars.columns):
        return bars
    out = bars.copy()
    out.attrs = dict(bars.attrs)
    return out


def _per_bar_sharpe(pos: np.ndarray, ret: np.ndarray, cost: float) -> float:
    held = np.concatenate([[0.0], pos[:-1]])  # decided at the close of t-1, earns bar t
    turnover = np.abs(np.diff(np.concatenate([[0.0], held])))
    pnl = np.nan_to_num(held * ret) - cost * turnover
    sd = float(pnl[1:].std(ddof=1)) if len(pnl) > 2 else 0.0
    if not np.isfinite(sd):
        return float("nan")
    return float(pnl[1:].mean() / sd) if sd > 0 else 0.0  # never in the market: Sharpe 0
