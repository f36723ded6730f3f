"""Walk-forward studies: fit on each training window, trade the following test window, stitch.

The serial runner here and the workflow stage (:mod:`trading_signals.workflow.walkforward`,
which fans windows out through an executor) call the same :func:`run_window`, so both give
identical results. ``engine`` is a :class:`~trading_signals.config.backtest.BacktestConfig` (the
``backtest`` section: every option reaches the engine) or a mapping of its fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from trading_signals.backtest import strategies
from trading_signals.backtest._inputs import PERIODS_PER_YEAR
from trading_signals.backtest.engine import engine_config, run_backtest
from trading_signals.backtest.sweep import sma_pairs, sma_sweep
from trading_signals.backtest.sweep_overfitting import sma_grid_overfitting
from trading_signals.backtest.windows import Window
from trading_signals.config.backtest import BacktestConfig
from trading_signals.data.checkpoints import CheckpointStore
from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import ConfigError
from trading_signals.stats.metrics import summarize
from trading_signals.stats.overfitting import (
    deflated_sharpe_ratio,
    probabilistic_sharpe_ratio,
    sharpe_per_period,
)


class WalkForwardStrategy(Protocol):
    """Fits parameters on a training slice and turns price history into target positions."""

    name: str

    def fit(self, train: pd.DataFrame) -> dict[str, Any]:
        """Return parameters chosen using only ``train`` bars, plus selection statistics."""
        ...

    def positions(self, history: pd.DataFrame, params: Mapping[str, Any]) -> pd.Series:
        """Return target exposures over ``history`` (decided at each close, causal)."""
        ...


@dataclass(frozen=True)
class SmaCrossSearch:
    """Pick the SMA-cross pair with the best in-sample Sharpe on the training window."""

    fast: Sequence[int] = (5, 10, 20, 30)
    slow: Sequence[int] = (50, 100, 150, 200)
    long_only: bool = False
    commission_bps: float = 0.0
    slippage_bps: float = 0.0
    name: str = "sma_cross_search"

    def fit(self, train: pd.DataFrame) -> dict[str, Any]:
        grid = sma_sweep(train, pairs=sma_pairs(self.fast, self.slow), long_only=self.long_only,
                         commission_bps=self.commission_bps, slippage_bps=self.slippage_bps)
        sharpe = grid["sharpe"].to_numpy(dtype=float)
        if not np.isfinite(sharpe).any():
            raise ConfigError("walk-forward: no SMA pair produced a finite Sharpe on a training window")
        best = int(np.nanargmax(sharpe))
        # The sweep annualises; the deflated Sharpe ratio works with per-bar Sharpe ratios.
        per_bar = sharpe / np.sqrt(PERIODS_PER_YEAR.get(train.attrs.get("timeframe") or "1d", 252))
        return {
            "fast": int(grid["fast"].iloc[best]),
            "slow": int(grid["slow"].iloc[best]),
            "is_sharpe": float(sharpe[best]),
            "n_trials": int(len(grid)),
            "trial_sharpe_var": float(np.nanvar(per_bar, ddof=1)) if len(grid) > 1 else 0.0,
        }

    def trial_pairs(self) -> np.ndarray:
        """Every (fast, slow) pair the search tries: the true number of trials."""
        return sma_pairs(self.fast, self.slow)

    def positions(self, history: pd.DataFrame, params: Mapping[str, Any]) -> pd.Series:
        return strategies.sma_cross(history["close"], fast=int(params["fast"]), slow=int(params["slow"]),
                                    long_only=self.long_only)


@dataclass(frozen=True)
class WindowResult:
    """One window: chosen parameters, out-of-sample returns and their metrics."""

    window: Window
    params: dict[str, Any]
    returns: pd.Series
    metrics: dict[str, Any]
    trades: int

    def to_record(self) -> tuple[dict[str, Any], pd.DataFrame]:
        """Return ``(meta, frame)`` for a :class:`~trading_signals.data.checkpoints.CheckpointStore`."""
        meta = {"window": self.window.__dict__, "params": self.params, "metrics": self.metrics,
                "trades": self.trades}
        return meta, self.returns.to_frame("return")

    @classmethod
    def from_record(cls, meta: Mapping[str, Any], frame: pd.DataFrame) -> WindowResult:
        """Rebuild a result saved with :meth:`to_record`."""
        returns = frame["return"]
        returns.index.name = "timestamp"
        return cls(window=Window(**meta["window"]), params=dict(meta["params"]), returns=returns,
                   metrics=dict(meta["metrics"]), trades=int(meta["trades"]))


@dataclass(frozen=True)
class WalkForwardResult:
    """Stitched out-of-sample curve plus a row per window."""

    returns: pd.Series
    equity: pd.Series
    windows: pd.DataFrame
    metrics: dict[str, Any]
    overfitting: dict[str, float] = field(default_factory=dict)


Engine = BacktestConfig | Mapping[str, Any] | None


def as_engine(engine: Engine) -> BacktestConfig:
    """Return ``engine`` as a validated :class:`BacktestConfig` (a mapping holds overrides)."""
    if isinstance(engine, BacktestConfig):
        return engine
    return engine_config(None, **dict(engine or {}))


def run_window(
    prices: pd.DataFrame, window: Window, *, strategy: WalkForwardStrategy, engine: Engine = None,
) -> WindowResult:
    """Fit on ``window``'s training bars, then trade its test bars.

    Notes
    -----
    Parameters see only ``prices[train_start:train_end]``. Positions are computed on the price
    history up to the end of the test block (indicators need past bars only; the strategy
    must be causal) and the engine runs from the last bar before the test block, so the first
    decision fills at the open of the first test bar. The window starts flat and is
    independent of the others.
    """
    train = prices.iloc[window.train_start:window.train_end]
    params = strategy.fit(train)
    history = prices.iloc[:window.test_end]
    target = strategy.positions(history, params)
    lo = window.test_start - 1
    res = run_backtest(prices.iloc[lo:window.test_end], target.iloc[lo:window.test_end], as_engine(engine))
    oos = res.returns.iloc[1:].rename("return").rename_axis("timestamp")
    return WindowResult(window=window, params=params, returns=oos,
                        metrics=summarize(oos.to_numpy()), trades=int(len(res.trades)))


def run_walk_forward(
    prices: pd.DataFrame,
    windows: Sequence[Window],
    *,
    strategy: WalkForwardStrategy,
    engine: Engine = None,
    store: CheckpointStore | None = None,
) -> WalkForwardResult:
    """Serial walk-forward: run every window not already finished in ``store``, then stitch.

    Each finished window is saved to ``store`` (when given) before the next starts, so an
    interrupted study resumes where it stopped and reproduces the same output.
    """
    validate_ohlcv(prices, name="walk-forward prices")
    cfg = as_engine(engine)
    results = load_finished(store)
    for w in windows:
        if w.index not in results:
            results[w.index] = run_window(prices, w, strategy=strategy, engine=cfg)
            if store is not None:
                store.save(w.index, *results[w.index].to_record())
    res = stitch(prices, windows, results, initial_cash=cfg.initial_cash)
    return with_grid_pbo(res, prices, strategy, cfg)


def with_grid_pbo(result: WalkForwardResult, prices: pd.DataFrame, strategy: WalkForwardStrategy,
                  engine: Engine = None) -> WalkForwardResult:
    """Add the CSCV probability of backtest overfitting of the strategy's whole grid.

    Only for strategies that expose ``trial_pairs()`` (an SMA grid); others are returned as is.
    """
    pairs = getattr(strategy, "trial_pairs", None)
    if pairs is None or len(pairs()) < 2:
        return result
    stats = sma_grid_overfitting(prices, pairs(), long_only=bool(getattr(strategy, "long_only", False)),
                                 **as_engine(engine).model_dump())
    overfit = {**result.overfitting, "grid_pbo": stats["pbo"], "grid_deflated_sharpe": stats["deflated_sharpe"]}
    return WalkForwardResult(returns=result.returns, equity=result.equity, windows=result.windows,
                             metrics=result.metrics, overfitting=overfit)


def load_finished(store: CheckpointStore | None) -> dict[int, WindowResult]:
    """Return the windows already finished in ``store`` (none without a store)."""
    if store is None:
        return {}
    return {k: WindowResult.from_record(meta, frame) for k, (meta, frame) in store.load_all().items()}


def stitch(
    prices: pd.DataFrame, windows: Sequence[Window], results: Mapping[int, WindowResult], *,
    initial_cash: float = 10_000.0,
) -> WalkForwardResult:
    """Chain the windows' out-of-sample returns into one curve and add overfitting statistics."""
    missing = [w.index for w in windows if w.index not in results]
    if missing:
        raise ConfigError(f"walk-forward windows {missing} have no result to stitch")
    ordered = [results[w.index] for w in windows]
    returns = pd.concat([r.returns for r in ordered])
    if not returns.index.is_unique:
        raise ConfigError("walk-forward test blocks overlap; use step >= test to stitch one curve")
    equity = initial_cash * (1.0 + returns).cumprod()
    rows = []
    for r in ordered:
        row = r.window.bounds(prices.index)
        row.update({k: v for k, v in r.params.items() if np.isscalar(v)})
        row.update({f"oos_{k}": r.metrics.get(k) for k in ("total_return", "sharpe", "max_drawdown")})
        row["oos_trades"] = r.trades
        rows.append(row)
    table = pd.DataFrame(rows)
    return WalkForwardResult(returns=returns, equity=equity, windows=table,
                             metrics=summarize(returns.to_numpy()),
                             overfitting=_overfitting(returns, ordered))


def _overfitting(returns: pd.Series, ordered: Sequence[WindowResult]) -> dict[str, float]:
    r = returns.to_numpy(dtype=float)
    out: dict[str, float] = {"oos_sharpe_per_bar": sharpe_per_period(r)}
    if r.size >= 3:
        out["oos_psr"] = probabilistic_sharpe_ratio(r)
    n_trials = [int(w.params.get("n_trials", 0)) for w in ordered]
    if r.size >= 3 and all(n > 0 for n in n_trials):
        # Each window chose among n_trials configurations: deflate the stitched curve by the
        # expected maximum Sharpe of that many unskilled trials (variance averaged over windows).
        var = float(np.mean([w.params.get("trial_sharpe_var", 0.0) for w in ordered]))
        out["n_trials_per_window"] = float(max(n_trials))
        out["deflated_sharpe"] = deflated_sharpe_ratio(r, n_trials=max(n_trials), sr_variance=var)
    return out
