"""Signals stage: one symbol's bars (+ news, + model) in, one signals partition out.

The unit of work (:func:`signals_partition`) is what both executors run, so serial and Ray
builds write identical files. News is scored once on the driver and travels inside the
callable (one copy in the Ray object store, not one per task).

When a features table is given (the study passes the one its features stage wrote), the
confluence components read their indicator columns from it (:data:`INDICATOR_INPUTS`, 18 of
the 41 default indicators; ``roc_10`` is recomputed alone because the table's ``roc_10`` is the
ML fraction, not TA-Lib's percent) instead of recomputing every indicator; the values are the
ones ``compute_indicators`` wrote there, so the signals are bit-identical. A table without those
columns (a custom ``features.indicators`` spec) or on other bars is not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd

from trading_signals.config.sentiment import SentimentConfig
from trading_signals.config.signals import SignalsConfig
from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.data.features_lake import features_columns, read_features
from trading_signals.data.lake import read_bars
from trading_signals.data.signals_lake import write_signals
from trading_signals.errors import DataError
from trading_signals.features.indicators import compute_indicators
from trading_signals.observability.emit import record_signals
from trading_signals.signals.components import COMPONENT_INPUTS, ModelComponent
from trading_signals.signals.engine import signals_for_symbol
from trading_signals.signals.news import score_news_for_config, sentiment_fn_for
from trading_signals.signals.summary import latest_summary
from trading_signals.workflow.executor import Executor, Progress, SerialExecutor


#: Indicator columns the confluence components read (the rest of a features table is not needed).
INDICATOR_INPUTS: tuple[str, ...] = tuple(sorted(
    {c for cols in COMPONENT_INPUTS.values() for c in cols} - set(OHLCV_COLUMNS)))


def stored_indicators(features: str | None, bars: pd.DataFrame, *, symbol: str,
                      timeframe: str) -> pd.DataFrame | None:
    """Return the components' indicator columns from a features table, or None to compute them."""
    if features is None:
        return None
    have = features_columns(features, symbol=symbol, timeframe=timeframe)
    if have is None or not set(INDICATOR_INPUTS) <= set(have):
        return None
    # ``roc_10`` of a features table is the ML fraction when ML features are on (the ML name
    # wins the clash); the momentum component wants TA-Lib's percent ROC: compute that one.
    stored = [c for c in INDICATOR_INPUTS if c != "roc_10"]
    frame = read_features(features, symbol=symbol, timeframe=timeframe, columns=stored)
    if not frame.index.equals(bars.index):
        return None
    roc = compute_indicators(bars, [{"name": "roc", "params": {"timeperiod": 10}}])
    return frame.assign(roc_10=roc["roc_10"].to_numpy())


def signals_partition(
    symbol: str,
    *,
    lake: str,
    out: str,
    timeframe: str,
    news: pd.DataFrame | None,
    config: SignalsConfig,
    sentiment_config: SentimentConfig | None,
    model: ModelComponent | None,
    features: str | None = None,
) -> dict[str, Any]:
    """Read one symbol's bars, generate its signals, write them; return a small summary.

    Notes
    -----
    News (a scored ``load_news`` table) is joined by publish time inside the engine's sentiment
    aggregation: an article affects only bars that close after it was published.
    """
    bars = read_bars(lake, symbol=symbol, timeframe=timeframe)
    fn = None if news is None else sentiment_fn_for(news, symbol=symbol, timeframe=timeframe,
                                                     config=sentiment_config)
    indicators = stored_indicators(features, bars, symbol=symbol, timeframe=timeframe)
    signals = signals_for_symbol(bars, sentiment_fn=fn, model=model, config=config,
                                 timeframe=timeframe, indicators=indicators)
    path = write_signals(out, signals, symbol=symbol, timeframe=timeframe)
    record_signals(symbol, signals)
    if signals["signal"].notna().any():
        summary = latest_summary(signals, symbol=symbol)
    else:
        summary = {"symbol": symbol, "signal": None, "explanation": signals["explanation"].iloc[-1],
                   "rows": len(signals), "signals": 0}
    summary["path"] = str(path)
    summary["indicators"] = "features table" if indicators is not None else "computed"
    return summary


def build_signals(
    config: SignalsConfig,
    sentiment: SentimentConfig | None = None,
    executor: Executor | None = None,
    *,
    lake: str,
    out: str,
    symbols: Sequence[str],
    timeframe: str = "1d",
    news: pd.DataFrame | None = None,
    model: ModelComponent | None = None,
    features: str | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Build the signals table for ``symbols``; return one summary per symbol, in symbol order.

    Parameters
    ----------
    config, sentiment
        The ``signals`` and ``sentiment`` sections.
    executor
        Serial (default) or Ray; identical files either way.
    lake, out
        Bars lake to read and root to write ``signals/timeframe=<tf>/symbol=<SYM>/`` into.
    news
        A ``load_news`` table (scored here once), or None.
    model
        Model component filling the confluence engine's ``model`` score, or None.
    features
        Root of a features table on the same bars (``tsig features --out``): indicator
        columns are read from it rather than recomputed.
    """
    if not symbols:
        raise DataError(f"no symbols given for {lake}; pass --symbols or fill the lake first")
    scored = None if news is None else score_news_for_config(news, config=sentiment)
    fn = partial(signals_partition, lake=str(lake), out=str(out), timeframe=timeframe, news=scored,
                 config=config, sentiment_config=sentiment, model=model, features=features)
    return (executor or SerialExecutor()).map(fn, list(symbols), name="signals", progress=progress)
