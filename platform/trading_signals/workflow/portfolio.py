"""Portfolio stage: targets from a strategy, one backtest per bar calendar, outputs on disk.

Symbols share a portfolio exactly when their bar indexes are identical (same timestamps), so a
panel never mixes calendars and no symbol name decides anything. The engine gets the whole
``backtest`` section (:func:`trading_signals.backtest.run_backtest`), so no option is dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from trading_signals.backtest import run_backtest, strategies
from trading_signals.backtest.result import BacktestResult
from trading_signals.config.backtest import BacktestConfig
from trading_signals.config.study import PortfolioConfig
from trading_signals.data import storage
from trading_signals.data.lake import read_bars
from trading_signals.data.runs import write_frame_atomic
from trading_signals.data.signals_lake import read_signals
from trading_signals.errors import ConfigError
from trading_signals.observability.metrics import gauge
from trading_signals.workflow.executor import Progress


def calendar_key(index: pd.DatetimeIndex) -> str:
    """Return a name for a bar calendar: first date, bar count and a hash of every timestamp.

    >>> idx = pd.bdate_range("2024-01-01", periods=3, tz="UTC")
    >>> calendar_key(idx)[:14]
    '20240101-3bars'
    """
    stamps = index.as_unit("ns").asi8 if isinstance(index, pd.DatetimeIndex) else index.to_numpy()
    digest = hashlib.sha256(stamps.tobytes()).hexdigest()[:8]
    first = f"{index[0]:%Y%m%d}" if len(index) else "empty"
    return f"{first}-{len(index)}bars-{digest}"


def calendar_groups(bars: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """Group symbols whose bar indexes are identical; keys from :func:`calendar_key`, sorted."""
    groups: dict[str, dict[str, pd.DataFrame]] = {}
    for sym in sorted(bars):
        groups.setdefault(calendar_key(bars[sym].index), {})[sym] = bars[sym]
    return dict(sorted(groups.items()))


def strategy_targets(prices: Mapping[str, pd.DataFrame], *, strategy: str, fast: int = 20,
                     slow: int = 100, long_only: bool = False, signals: str | None = None,
                     timeframe: str = "1d") -> pd.DataFrame:
    """Return equal-budget targets (columns = symbols) for one calendar group.

    Parameters
    ----------
    strategy
        ``sma_cross`` (``fast``/``slow`` on closes) or ``confluence`` (the signals table at
        ``signals``, labels mapped by :data:`trading_signals.backtest.strategies.SIGNAL_LEVELS`).

    Notes
    -----
    Each symbol's target is divided by the number of symbols, so gross exposure stays <= 1
    before the engine's own limits. Bars without a signal (before the signals start) are flat.
    """
    per: dict[str, pd.Series] = {}
    for sym, frame in prices.items():
        if strategy == "sma_cross":
            per[sym] = strategies.sma_cross(frame, fast=fast, slow=slow, long_only=long_only)
        elif strategy == "confluence":
            if signals is None:
                raise ConfigError("strategy confluence needs the signals table (`tsig signals "
                                  "--out DIR`, then --signals DIR)")
            target = strategies.confluence(read_signals(signals, symbol=sym, timeframe=timeframe),
                                           long_only=long_only)
            per[sym] = target[target.index.isin(frame.index)]
        else:
            raise ConfigError(f"strategy {strategy!r} is unknown; use sma_cross or confluence")
    return pd.DataFrame(per).fillna(0.0) / len(per)


def write_backtest(res: BacktestResult, folder: str) -> None:
    """Write a backtest's equity (+ returns), trades and positions as Parquet under ``folder``."""
    write_frame_atomic(res.equity.to_frame("equity").assign(returns=res.returns),
                       storage.join(folder, "equity.parquet"))
    write_frame_atomic(res.trades.reset_index(drop=True), storage.join(folder, "trades.parquet"))
    write_frame_atomic(res.positions, storage.join(folder, "positions.parquet"))


def run_portfolio(
    portfolio: PortfolioConfig,
    backtest: BacktestConfig,
    *,
    lake: str,
    run_dir: str,
    symbols: list[str],
    timeframe: str = "1d",
    signals: str | None = None,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any]]:
    """Backtest one equal-budget portfolio per bar calendar; write ``portfolio/<calendar>/``.

    Each calendar folder holds ``equity.parquet`` (equity, returns), ``returns.parquet``
    (``return``), ``trades.parquet`` and ``positions.parquet``.

    Returns
    -------
    dict
        ``{calendar: {"metrics": {...}, "symbols": [...], "returns": Series}}`` in calendar order.
    """
    bars = {s: read_bars(lake, symbol=s, timeframe=timeframe) for s in symbols}
    groups = calendar_groups(bars)
    out: dict[str, dict[str, Any]] = {}
    for k, (name, prices) in enumerate(groups.items()):
        target = strategy_targets(prices, strategy=portfolio.strategy, fast=portfolio.fast,
                                  slow=portfolio.slow, long_only=portfolio.long_only,
                                  signals=signals or run_dir, timeframe=timeframe)
        res = run_backtest(prices, target, backtest)
        folder = storage.join(run_dir, "portfolio", name)
        write_backtest(res, folder)
        write_frame_atomic(res.returns.to_frame("return"), storage.join(folder, "returns.parquet"))
        out[name] = {"metrics": {"symbols": len(prices), **res.metrics}, "symbols": sorted(prices),
                     "returns": res.returns}
        gauge("tsig_backtest_sharpe").set(res.metrics["sharpe"], {
            "strategy": portfolio.strategy, "timeframe": timeframe, "portfolio": name})
        if progress is not None:
            progress(k + 1, len(groups))
    return out
