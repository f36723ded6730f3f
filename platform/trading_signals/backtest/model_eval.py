"""Backtest a model's predictions: predictions -> positions -> the engine -> metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from trading_signals._typing import SYMBOL, TIMESTAMP
from trading_signals.backtest import strategies
from trading_signals.backtest.engine import run_backtest
from trading_signals.backtest.result import BacktestResult
from trading_signals.errors import DataError


def backtest_predictions(
    predictions: pd.Series,
    bars: Mapping[str, pd.DataFrame],
    *,
    top_k: int | None = None,
    threshold: float = 0.0,
    long_short: bool = True,
    commission_bps: float = 1.0,
    slippage_bps: float = 1.0,
    **engine_kwargs: Any,
) -> BacktestResult:
    """Trade a model's ``(timestamp, symbol)`` predictions through :func:`run_backtest`.

    Parameters
    ----------
    predictions
        One prediction per ``(timestamp, symbol)`` (e.g. the expected next-bar return).
    bars
        Canonical OHLCV frames of the predicted symbols.
    top_k, threshold, long_short
        Passed to :func:`strategies.model` (``top_k``: long the k best, short the k worst).
    commission_bps, slippage_bps, engine_kwargs
        Passed to :func:`run_backtest`.

    Notes
    -----
    The prediction at t becomes a target exposure at the close of t and is filled at the next
    bar by the engine, so a model trained on labels up to t cannot trade on bar t's return.
    Only timestamps shared by all predicted symbols are traded (intersection of bar indexes).
    """
    if not isinstance(predictions.index, pd.MultiIndex) or SYMBOL not in predictions.index.names:
        raise DataError("backtest_predictions: predictions need a (timestamp, symbol) MultiIndex")
    wide = predictions.unstack(SYMBOL).sort_index()
    missing = [s for s in wide.columns if s not in bars]
    if missing:
        raise DataError(f"backtest_predictions: no bars for predicted symbols {missing}")
    start = wide.index.min()
    opens = pd.concat({s: bars[s]["open"] for s in wide.columns}, axis=1)
    closes = pd.concat({s: bars[s]["close"] for s in wide.columns}, axis=1)
    ok = opens.notna().all(axis=1) & closes.notna().all(axis=1) & (opens.index >= start)
    opens, closes = opens[ok], closes[ok]
    opens.index.name = closes.index.name = TIMESTAMP
    timeframe = next(iter(bars.values())).attrs.get("timeframe")
    opens.attrs["timeframe"] = closes.attrs["timeframe"] = timeframe
    wide = wide.reindex(closes.index).fillna(0.0)  # no prediction -> flat
    if len(wide.columns) < 2 * (top_k or 0):
        top_k = None
    positions = strategies.model(wide, threshold=threshold, long_short=long_short, top_k=top_k)
    return run_backtest({"open": opens, "close": closes}, positions, commission_bps=commission_bps,
                        slippage_bps=slippage_bps, **engine_kwargs)
