"""Signals outputs on disk: ``<out>/signals/timeframe=<tf>/symbol=<SYM>/part-0000.parquet``.

Same layout and atomic writes as the OHLCV lake (table I/O only); the build loop lives in
:mod:`trading_signals.workflow.signals`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from trading_signals._typing import TIMESTAMP
from trading_signals.data import storage
from trading_signals.data.lake import PART_NAME, atomic_write_table, child, partition_path
from trading_signals.errors import DataError

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
    target = partition_path(out, symbol=symbol, timeframe=timeframe, table=SIGNALS_TABLE)
    return atomic_write_table(table, target)


def read_signals(out: str | Path, *, symbol: str, timeframe: str = "1d") -> pd.DataFrame:
    """Read one symbol's signals frame written by :func:`write_signals`.

    Raises
    ------
    DataError
        If there is no signals partition for the symbol and timeframe.
    """
    path = partition_path(out, symbol=symbol, timeframe=timeframe, table=SIGNALS_TABLE)
    if not storage.is_file(path):
        raise DataError(
            f"no signals for symbol={symbol} timeframe={timeframe} under {out}; "
            "run `tsig signals --lake ... --out ...` first"
        )
    frame = storage.read_table(path).to_pandas().set_index(TIMESTAMP)
    frame.attrs.update(symbol=symbol, timeframe=timeframe)
    return frame


def list_signal_symbols(out: str | Path, *, timeframe: str = "1d") -> list[str]:
    """Return the symbols with a signals partition for ``timeframe``."""
    base = child(out, SIGNALS_TABLE, f"timeframe={timeframe}")
    return [d.split("=", 1)[1] for d in storage.listdir(base, "symbol=*")
            if storage.is_file(child(base, d, PART_NAME))]
