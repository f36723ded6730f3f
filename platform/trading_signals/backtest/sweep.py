"""Parameter sweeps: a fused numba SMA-cross sweep, and a generic grid over any strategy."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.backtest import _sweep_kernels, strategies
from trading_signals.backtest._inputs import PERIODS_PER_YEAR
from trading_signals.backtest.engine import cost_rate, run_backtest
from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import ConfigError

SWEEP_COLUMNS = ("fast", "slow", "total_return", "annual_return", "annual_volatility", "sharpe",
                 "sortino", "max_drawdown", "n_trades", "final_equity")
_CHUNK = 256  # pairs per thread task: small enough to balance load on a busy machine
STRATEGIES: dict[str, Callable[..., Any]] = {
    "sma_cross": strategies.sma_cross, "model": strategies.model, "confluence": strategies.confluence,
}


def sma_pairs(fast_range: Iterable[int], slow_range: Iterable[int]) -> np.ndarray:
    """Return every ``(fast, slow)`` pair with ``fast < slow`` as an ``(n, 2)`` int array.

    >>> sma_pairs(range(2, 4), range(3, 5)).tolist()
    [[2, 3], [2, 4], [3, 4]]
    """
    pairs = [(f, s) for f in fast_range for s in slow_range if 1 <= f < s]
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def sma_sweep(
    prices: pd.DataFrame,
    fast_range: Iterable[int] | None = None,
    slow_range: Iterable[int] | None = None,
    *,
    pairs: np.ndarray | Sequence[tuple[int, int]] | None = None,
    fill: str = "next_open",
    commission_bps: float = 0.0,
    slippage_bps: float = 0.0,
    spread_bps: float = 0.0,
    initial_cash: float = 10_000.0,
    long_only: bool = False,
    close_at_end: str = "last_close",
    periods_per_year: float | None = None,
    n_threads: int | None = None,
) -> pd.DataFrame:
    """Backtest every SMA-cross pair on one symbol and return one row of metrics per pair.

    Parameters
    ----------
    prices : DataFrame
        Canonical OHLCV frame.
    fast_range, slow_range : iterable of int
        Windows to combine (pairs with ``fast >= slow`` are skipped); or pass ``pairs``.
    pairs : array (n, 2), optional
        Explicit ``(fast, slow)`` pairs (how Ray shards a grid).
    fill, commission_bps, slippage_bps, spread_bps, initial_cash, long_only, close_at_end
        As in :func:`run_backtest` / :func:`strategies.sma_cross`.
    n_threads : int, optional
        Threads running chunks of pairs (the kernel releases the GIL); default: all CPUs.
        Results do not depend on it.

    Returns
    -------
    DataFrame
        Columns :data:`SWEEP_COLUMNS`, in pair order. ``n_trades`` counts entries.

    Notes
    -----
    An event-driven numba kernel per pair (threads over chunks of pairs, GIL released) with the
    engine's accounting (``_kernels._target_shares``, on-change fills at the next bar): crossings
    are found in one vectorised pass, fills are booked bar-exactly, and the bars between fills are
    marked to market in tight passes (see ``_sweep_kernels``). Tests prove each row equals
    ``run_backtest(prices, sma_cross(...))``'s metrics and the bar-by-bar ``_kernels.cross_stats``.
    Decisions at close ``t``, fills at ``t+1``.
    """
    validate_ohlcv(prices, name="prices")
    pairs_arr = sma_pairs(fast_range or (), slow_range or ()) if pairs is None else \
        np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if pairs_arr.size and (pairs_arr.min() < 1 or (pairs_arr[:, 0] >= pairs_arr[:, 1]).any()):
        raise ConfigError("sma_sweep: every pair needs 1 <= fast < slow")
    if fill not in ("next_open", "next_close") or close_at_end not in ("last_close", "last_open"):
        raise ConfigError(f"sma_sweep: unknown fill={fill!r} or close_at_end={close_at_end!r}")
    rate = cost_rate(commission_bps=commission_bps, slippage_bps=slippage_bps, spread_bps=spread_bps)
    ppy = periods_per_year or PERIODS_PER_YEAR.get(prices.attrs.get("timeframe") or "1d", 252)
    open_ = np.ascontiguousarray(prices["open"].to_numpy(np.float64))
    close = np.ascontiguousarray(prices["close"].to_numpy(np.float64))
    windows, inverse = np.unique(pairs_arr, return_inverse=True)
    smas = _sweep_kernels.sma_rows(close, windows.astype(np.int64))  # each window once
    table = _sweep_kernels.range_table(close)  # shared by every chunk
    idx = inverse.reshape(-1, 2)
    fast_idx, slow_idx = np.ascontiguousarray(idx[:, 0]), np.ascontiguousarray(idx[:, 1])
    args = (rate, float(initial_cash), fill == "next_close", long_only, close_at_end == "last_open",
            float(ppy))

    def run(lo: int, hi: int) -> np.ndarray:
        return _sweep_kernels.sweep_cross_fast(open_, close, table, smas, fast_idx[lo:hi],
                                               slow_idx[lo:hi], *args)

    stats = _run_chunks(run, len(idx), n_threads)
    out = pd.DataFrame(stats, columns=list(SWEEP_COLUMNS[2:]))
    out.insert(0, "slow", pairs_arr[:, 1])
    out.insert(0, "fast", pairs_arr[:, 0])
    out["n_trades"] = out["n_trades"].astype(np.int64)
    return out


def _run_chunks(run: Callable[[int, int], np.ndarray], n: int, n_threads: int | None) -> np.ndarray:
    threads = max(1, n_threads or os.cpu_count() or 1)
    if threads == 1 or n < 2 * _CHUNK:
        return run(0, n) if n else np.empty((0, len(SWEEP_COLUMNS) - 2))
    bounds = [(lo, min(lo + _CHUNK, n)) for lo in range(0, n, _CHUNK)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        parts = list(pool.map(lambda b: run(*b), bounds))
    return np.concatenate(parts)


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Return the Cartesian product of ``grid`` as a list of parameter dicts (sorted keys).

    >>> grid_points({"b": [1, 2], "a": [0]})
    [{'a': 0, 'b': 1}, {'a': 0, 'b': 2}]
    """
    keys = sorted(grid)
    return [dict(zip(keys, vals, strict=True)) for vals in itertools.product(*(grid[k] for k in keys))]


def run_sweep(
    prices: pd.DataFrame | Mapping[str, pd.DataFrame],
    grid: Mapping[str, Sequence[Any]],
    *,
    strategy: str | Callable[..., Any] = "sma_cross",
    data: Any = None,
    skip_invalid: bool = True,
    **engine: Any,
) -> pd.DataFrame:
    """Run :func:`run_backtest` for every point of ``grid`` and return one row of metrics each.

    Parameters
    ----------
    prices : DataFrame | dict
        Anything :func:`run_backtest` accepts.
    grid : mapping
        Parameter name -> values for the strategy function.
    strategy : str | callable
        A name from :data:`STRATEGIES` or ``f(data, **params) -> positions``.
    data : optional
        First argument of the strategy; defaults to the close prices (Series or wide frame).
    skip_invalid : bool
        Skip points the strategy rejects with ConfigError (e.g. ``fast >= slow``).
    **engine
        Keyword options of :func:`run_backtest` (costs, fill, limits ...).

    Notes
    -----
    The generic, slower path (one engine call per point); SMA grids have :func:`sma_sweep`.
    """
    fn = STRATEGIES[strategy] if isinstance(strategy, str) else strategy
    if data is None:
        data = prices["close"] if isinstance(prices, pd.DataFrame) else \
            pd.DataFrame({s: f["close"] for s, f in prices.items()})
    rows = []
    for params in grid_points(grid):
        try:
            positions = fn(data, **params)
        except ConfigError:
            if skip_invalid:
                continue
            raise
        res = run_backtest(prices, positions, **engine)
        rows.append(params | res.metrics)
    return pd.DataFrame(rows)
