"""Signals outputs on disk: ``<out>/signals/timeframe=<tf>/symbol=<SYM>/part-0000.parquet``.

Same layout and atomic writes as the OHLCV lake, plus the serial build loop
(:func:`build_signals_serial`) whose per-symbol unit (:func:`build_symbol_signals`) is also
what the Ray fan-out in :mod:`trading_signals.distributed.signals` runs, so both paths give
identical files.

The engine is imported inside the two build functions: this module is the I/O driver of the
signals layer, and the rest of ``data`` stays free of upward imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from trading_signals._typing import TIMESTAMP
from trading_signals.data.lake import PART_NAME, atomic_write_table, partition_dir, read_bars
from trading_signals.errors import DataError

if TYPE_CHECKING:
    from trading_signals.config.sentiment import SentimentConfig
    from trading_signals.config.signals import SignalsConfig
    from trading_signals.signals.components import ModelComponent

SIGNALS_TABLE = "signals"


def write_signals(out: str | Path, signals: pd.DataFrame, *, symbol: str, timeframe: str) -> Path:
    """Write one symbol's signals frame atomically, replacing its partition; return the file."""
    if not isinstance(signals.index, pd.DatetimeIndex):
        raise DataError(f"signals for {symbol}: index must be a DatetimeIndex named {TIMESTAMP!r}")
    frame = signals.rename_axis(TIMESTAMP).reset_index()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {b"symbol": symbol.encode(), b"timeframe": timeframe.encode()}
    )
    target = partition_dir(out, symbol=symbol, timeframe=timeframe, table=SIGNALS_TABLE) / PART_NAME
    return atomic_write_table(table, target)


def read_signals(out: str | Path, *, symbol: str, timeframe: str = "1d") -> pd.DataFrame:
    """Read one symbol's signals frame written by :func:`write_signals`.

    Raises
    ------
    DataError
        If there is no signals partition for the symbol and timeframe.
    """
    path = partition_dir(out, symbol=symbol, timeframe=timeframe, table=SIGNALS_TABLE) / PART_NAME
    if not path.is_file():
        raise DataError(
            f"no signals for symbol={symbol} timeframe={timeframe} under {out}; "
            "run `tsig signals --lake ... --out ...` first"
        )
    frame = pq.read_table(path).to_pandas().set_index(TIMESTAMP)
    frame.attrs.update(symbol=symbol, timeframe=timeframe)
    return frame


def list_signal_symbols(out: str | Path, *, timeframe: str = "1d") -> list[str]:
    """Return the symbols with a signals partition for ``timeframe``."""
    base = Path(out) / SIGNALS_TABLE / f"timeframe={timeframe}"
    return sorted(
        p.name.split("=", 1)[1] for p in base.glob("symbol=*") if (p / PART_NAME).is_file()
    )


def build_symbol_signals(
    lake: str | Path,
    out: str | Path,
    *,
    symbol: str,
    timeframe: str = "1d",
    news: pd.DataFrame | None = None,
    config: SignalsConfig | None = None,
    sentiment_config: SentimentConfig | None = None,
    model: ModelComponent | None = None,
) -> dict[str, Any]:
    """Read one symbol's bars, generate its signals, write them and return a small summary.

    Notes
    -----
    News (``load_news`` table) is joined by publish time inside the engine's sentiment
    aggregation: an article affects only bars that close after it was published.
    """
    from trading_signals.config.signals import SignalsConfig
    from trading_signals.signals.engine import signals_for_symbol
    from trading_signals.signals.news import sentiment_fn_for
    from trading_signals.signals.summary import latest_summary

    cfg = config or SignalsConfig()
    bars = read_bars(lake, symbol=symbol, timeframe=timeframe)
    fn = (
        None
        if news is None
        else sentiment_fn_for(news, symbol=symbol, timeframe=timeframe, config=sentiment_config)
    )
    signals = signals_for_symbol(
        bars, sentiment_fn=fn, model=model, config=cfg, timeframe=timeframe
    )
    path = write_signals(out, signals, symbol=symbol, timeframe=timeframe)
    summary = (
        latest_summary(signals, symbol=symbol)
        if signals["signal"].notna().any()
        else {
            "symbol": symbol,
            "signal": None,
            "explanation": signals["explanation"].iloc[-1],
            "rows": len(signals),
            "signals": 0,
        }
    )
    summary["path"] = str(path)
    return summary


def build_signals_serial(
    lake: str | Path,
    out: str | Path,
    *,
    symbols: Sequence[str],
    timeframe: str = "1d",
    news: pd.DataFrame | None = None,
    config: SignalsConfig | None = None,
    sentiment_config: SentimentConfig | None = None,
    model: ModelComponent | None = None,
) -> list[dict[str, Any]]:
    """Build signals for ``symbols`` one after another; return one summary per symbol.

    The serial reference of :func:`trading_signals.distributed.signals.build_signals_ray`.
    """
    if not symbols:
        raise DataError(f"no symbols given for {lake}; pass --symbols or fill the lake first")
    if news is not None:
        from trading_signals.signals.news import score_news

        news = score_news(news, config=sentiment_config)  # once, not once per symbol
    return [
        build_symbol_signals(
            lake,
            out,
            symbol=s,
            timeframe=timeframe,
            news=news,
            config=config,
            sentiment_config=sentiment_config,
            model=model,
        )
        for s in symbols
    ]
