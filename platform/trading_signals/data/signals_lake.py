"""Signals outputs on disk: ``<out>/signals/timeframe=<tf>/symbol=<SYM>/part-0000.parquet``.

Same layout and atomic writes as the OHLCV lake (table I/O only), plus the table's
``_manifest.json`` (:mod:`trading_signals.data.table_manifest`); the build loop lives in
:mod:`trading_signals.workflow.signals`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from trading_signals._typing import TIMESTAMP
from trading_signals.data import storage
from trading_signals.data.lake import PART_NAME, atomic_write_table, child, partition_path
from trading_signals.data.table_manifest import arrow_columns, check_partition
from trading_signals.errors import DataError

SIGNALS_TABLE = "signals"


def write_signals(out: str | Path, signals: pd.DataFrame, *, symbol: str, timeframe: str,
                  manifest: Mapping[str, Any] | None = None) -> Path:
    """Write one symbol's signals frame atomically, replacing its partition; return the file.

    Text columns that hold no value (e.g. ``signal`` before the first signal) are stored as
    strings, so every partition of a table has one schema. With ``manifest`` (the table's),
    a frame whose columns differ from the table's is refused before anything is written.
    """
    if not isinstance(signals.index, pd.DatetimeIndex):
        raise DataError(f"signals for {symbol}: index must be a DatetimeIndex named {TIMESTAMP!r}")
    frame = signals.rename_axis(TIMESTAMP).reset_index()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, f in enumerate(table.schema):
        if pa.types.is_null(f.type):
            table = table.set_column(i, pa.field(f.name, pa.string()), table.column(i).cast(pa.string()))
    table = table.replace_schema_metadata(
        {b"symbol": symbol.encode(), b"timeframe": timeframe.encode()}
    )
    target = partition_path(out, symbol=symbol, timeframe=timeframe, table=SIGNALS_TABLE)
    if manifest is not None:
        check_partition(manifest, arrow_columns(table.schema), where=str(target))
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
    table = storage.read_table(path)
    frame = table.to_pandas().set_index(TIMESTAMP)
    # pandas 3 reads Arrow strings as its `str` dtype (None -> NaN); labels and texts stay object
    # columns holding None, as generate_signals made them, under pandas 2 and 3 alike.
    for field in table.schema:
        if field.name in frame.columns and (
            pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
        ):
            values = table.column(field.name).to_numpy(zero_copy_only=False)
            frame.isetitem(frame.columns.get_loc(field.name),
                           pd.Series(values, index=frame.index, dtype=object, copy=False))
    frame.attrs.update(symbol=symbol, timeframe=timeframe)
    return frame


def list_signal_symbols(out: str | Path, *, timeframe: str = "1d") -> list[str]:
    """Return the symbols with a signals partition for ``timeframe``."""
    base = child(out, SIGNALS_TABLE, f"timeframe={timeframe}")
    return [d.split("=", 1)[1] for d in storage.listdir(base, "symbol=*")
            if storage.is_file(child(base, d, PART_NAME))]
