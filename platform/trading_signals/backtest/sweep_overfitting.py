"""Overfitting statistics of an SMA grid: deflated Sharpe of the best pair and CSCV PBO.

Every pair is backtested with :func:`run_backtest` (the same accounting as :func:`sma_sweep`)
and reduced at once to per-block moments, so thousands of pairs never need a full
``(bars x pairs)`` return matrix in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.backtest import strategies
from trading_signals.backtest.engine import run_backtest
from trading_signals.errors import ConfigError
from trading_signals.stats.overfitting import (
    block_stats,
    deflated_sharpe_ratio,
    pbo_from_block_stats,
    probabilistic_sharpe_ratio,
    sharpe_per_period,
)


def sma_grid_overfitting(
    prices: pd.DataFrame,
    pairs: np.ndarray | Sequence[tuple[int, int]],
    *,
    n_splits: int = 16,
    long_only: bool = False,
    **engine: Any,
) -> dict[str, float]:
    """Return the deflated Sharpe ratio of the grid's best pair and the grid's PBO.

    Parameters
    ----------
    prices
        Canonical OHLCV frame of one symbol.
    pairs
        Every ``(fast, slow)`` pair that was tried: the true number of trials.
    n_splits
        CSCV blocks (even); reduced automatically when the series is short.
    **engine
        :func:`run_backtest` options (costs, fill...), as used for the sweep.

    Notes
    -----
    Sharpe ratios are per bar. The first bar of each backtest (no position yet) is dropped.
    """
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(arr) < 2:
        raise ConfigError("overfitting statistics need at least 2 configurations")
    n_rows = len(prices) - 1
    splits = min(n_splits, max(2, (n_rows // 4) // 2 * 2))
    close = prices["close"]
    counts = sums = squares = None
    sharpes = np.empty(len(arr))
    for k, (fast, slow) in enumerate(arr):
        r = _pair_returns(prices, close, int(fast), int(slow), long_only, engine)
        sharpes[k] = sharpe_per_period(r)
        c, s, q = block_stats(r, n_splits=splits)
        counts, sums, squares = (c, s, q) if sums is None else (counts, np.hstack([sums, s]), np.hstack([squares, q]))
    best = int(np.nanargmax(np.where(np.isfinite(sharpes), sharpes, -np.inf)))
    best_r = _pair_returns(prices, close, int(arr[best, 0]), int(arr[best, 1]), long_only, engine)
    finite = sharpes[np.isfinite(sharpes)]
    pbo = pbo_from_block_stats(counts, sums, squares)  # type: ignore[arg-type]
    return {
        "n_trials": float(len(arr)),
        "best_fast": float(arr[best, 0]),
        "best_slow": float(arr[best, 1]),
        "best_sharpe_per_bar": float(sharpes[best]),
        "psr": probabilistic_sharpe_ratio(best_r),
        "deflated_sharpe": deflated_sharpe_ratio(best_r, n_trials=len(arr), trial_sharpes=finite),
        "pbo": pbo.pbo,
        "pbo_splits": float(splits),
    }


def _pair_returns(prices: pd.DataFrame, close: pd.Series, fast: int, slow: int, long_only: bool,
                  engine: dict[str, Any]) -> np.ndarray:
    target = strategies.sma_cross(close, fast=fast, slow=slow, long_only=long_only)
    res = run_backtest(prices, target, **engine)
    return res.returns.to_numpy(dtype=np.float64)[1:]
