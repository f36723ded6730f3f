"""The features table: read and write feature partitions (table I/O only).

Layout mirrors the bars: ``<out>/features/timeframe=<tf>/symbol=<SYM>/part-0000.parquet``, one
file per symbol, written atomically, plus the table's ``_manifest.json``
(:mod:`trading_signals.data.table_manifest`: producing config, columns, input fingerprints).
How features are computed and the build loop live in the workflow
(:mod:`trading_signals.workflow.features`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from trading_signals._typing import TIMESTAMP
from trading_signals.data import storage
from trading_signals.data.lake import list_symbols, partition_path
from trading_signals.data.schema import check_symbol, check_timeframe
from trading_signals.data.table_manifest import arrow_columns, check_partition
from trading_signals.errors import DataError

FEATURES_TABLE = "features"


def require_files(files: list[Path], lake: str | Path, timeframe: str) -> list[Path]:
    """Return ``files`` or raise :class:`DataError` when the selection is empty."""
    if not files:
        raise DataError(
            f"no {timeframe} bar partitions under {storage.join(lake, 'ohlcv')}; check --lake and "
            "--timeframe (`tsig data ls --lake ...` lists what is there)"
        )
    return files


def partition_key(path: str | Path) -> tuple[str, str]:
    """Return ``(symbol, timeframe)`` from a partition file path ``.../timeframe=X/symbol=Y/part``."""
    p = Path(path)
    sym, tf = p.parent.name, p.parent.parent.name
    if not sym.startswith("symbol=") or not tf.startswith("timeframe="):
        raise DataError(
            f"{p}: not a lake partition file (expected .../timeframe=<tf>/symbol=<SYM>/part-*.parquet)"
        )
    return check_symbol(sym.split("=", 1)[1]), check_timeframe(tf.split("=", 1)[1])


def read_partition(path: str | Path) -> pd.DataFrame:
    """Read one OHLCV partition file as a canonical frame with ``symbol``/``timeframe`` attrs."""
    symbol, timeframe = partition_key(path)
    frame = storage.read_table(path).to_pandas()
    if TIMESTAMP not in frame.columns:
        raise DataError(f"{path}: no {TIMESTAMP!r} column; rewrite it with write_bars")
    frame = frame.set_index(TIMESTAMP)
    frame.attrs.update(symbol=symbol, timeframe=timeframe)
    return frame


def write_features(
    lake: str | Path,
    features: pd.DataFrame,
    *,
    symbol: str,
    timeframe: str,
    table: str = FEATURES_TABLE,
    manifest: Mapping[str, Any] | None = None,
) -> Path:
    """Write one symbol's feature frame (float64 columns, UTC index) atomically; return the file.

    With ``manifest`` (the table's, see :mod:`trading_signals.data.table_manifest`), a frame
    whose columns differ from the table's is refused before anything is written.
    """
    if not isinstance(features.index, pd.DatetimeIndex) or features.index.tz is None:
        raise DataError(f"features of {symbol}: index must be a tz-aware DatetimeIndex")
    bad = [c for c in features.columns if features[c].dtype != np.float64 or not isinstance(c, str)]
    if bad:
        raise DataError(f"features of {symbol}: columns {bad[:5]} are not float64 with str names")
    # Built from NumPy columns (no pandas metadata) and written without dictionary encoding:
    # float features are high-cardinality, so dictionary attempts only cost time (~3x slower).
    ts = pa.array(features.index.as_unit("ns").tz_convert("UTC"), type=pa.timestamp("ns", tz="UTC"))
    arrays = [ts] + [pa.array(features[c].to_numpy(), type=pa.float64()) for c in features.columns]
    arrow = pa.Table.from_arrays(arrays, names=[TIMESTAMP, *features.columns])
    target = partition_path(lake, symbol=symbol, timeframe=timeframe, table=table)
    if manifest is not None:
        check_partition(manifest, arrow_columns(arrow.schema), where=str(target))
    return _atomic_write(arrow, target)


def features_schema(columns: Sequence[str]) -> pa.Schema:
    """Return the Arrow schema :func:`write_features` writes for feature ``columns``."""
    return pa.schema([pa.field(TIMESTAMP, pa.timestamp("ns", tz="UTC"))]
                     + [pa.field(c, pa.float64()) for c in columns])


def _atomic_write(table: pa.Table, path: Path | str) -> Path | str:
    # Any storage location (temp file + os.replace locally, one upload on object stores).
    storage.write_table_atomic(table, path, compression="zstd", use_dictionary=False)
    return path


def read_features(
    lake: str | Path,
    *,
    symbol: str,
    timeframe: str = "1d",
    columns: Sequence[str] | None = None,
    table: str = FEATURES_TABLE,
) -> pd.DataFrame:
    """Read one symbol's feature frame written by :func:`write_features`."""
    path = partition_path(lake, symbol=symbol, timeframe=timeframe, table=table)
    if not storage.is_file(path):
        raise DataError(
            f"no features for symbol={symbol} timeframe={timeframe} under {lake}; "
            "run `tsig features --lake ... --out ...` first"
        )
    cols = None if columns is None else [TIMESTAMP, *columns]
    frame = storage.read_table(path, columns=cols).to_pandas().set_index(TIMESTAMP)
    frame.attrs.update(symbol=symbol, timeframe=timeframe)
    return frame


def features_columns(
    lake: str | Path, *, symbol: str, timeframe: str = "1d", table: str = FEATURES_TABLE,
) -> list[str] | None:
    """Return the feature columns stored for one symbol (from the file schema), or None."""
    path = partition_path(lake, symbol=symbol, timeframe=timeframe, table=table)
    if not storage.is_file(path):
        return None
    return [c for c in storage.read_schema(path).names if c != TIMESTAMP]


def read_features_panel(
    lake: str | Path, *, timeframe: str = "1d", symbols: Sequence[str] | None = None,
    columns: Sequence[str] | None = None, table: str = FEATURES_TABLE,
) -> dict[str, pd.DataFrame]:
    """Read several symbols' feature frames (all in the features lake when None) as a dict."""
    names = list(symbols) if symbols else list_symbols(lake, timeframe=timeframe, table=table)
    return {s: read_features(lake, symbol=s, timeframe=timeframe, columns=columns, table=table)
            for s in names}
