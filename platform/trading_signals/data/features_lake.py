"""Feature partitions in the lake and the serial per-partition build loop.

Layout mirrors the bars: ``<out>/features/timeframe=<tf>/symbol=<SYM>/part-0000.parquet``, one
file per symbol, written atomically. The data layer does not know how features are computed:
callers pass ``compute`` (a picklable ``bars -> features`` callable such as
:class:`trading_signals.features.pipeline.FeatureComputer`), and the Ray fan-out in
:mod:`trading_signals.distributed.features` runs the very same :func:`run_partition`.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from trading_signals._typing import TIMESTAMP
from trading_signals.data.lake import PART_NAME, list_symbols, partition_dir, partition_files
from trading_signals.data.schema import check_symbol, check_timeframe
from trading_signals.errors import DataError

FEATURES_TABLE = "features"
Compute = Callable[[pd.DataFrame], pd.DataFrame]
OnResult = Callable[[dict[str, Any]], None]


def require_files(files: list[Path], lake: str | Path, timeframe: str) -> list[Path]:
    """Return ``files`` or raise :class:`DataError` when the selection is empty."""
    if not files:
        raise DataError(
            f"no {timeframe} bar partitions under {Path(lake) / 'ohlcv'}; check --lake and "
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
    frame = pq.read_table(path).to_pandas()
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
) -> Path:
    """Write one symbol's feature frame (float64 columns, UTC index) atomically; return the file."""
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
    target = partition_dir(lake, symbol=symbol, timeframe=timeframe, table=table) / PART_NAME
    return _atomic_write(arrow, target)


def _atomic_write(table: pa.Table, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd", use_dictionary=False)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
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
    path = partition_dir(lake, symbol=symbol, timeframe=timeframe, table=table) / PART_NAME
    if not path.is_file():
        raise DataError(
            f"no features for symbol={symbol} timeframe={timeframe} under {lake}; "
            "run `tsig features --lake ... --out ...` first"
        )
    cols = None if columns is None else [TIMESTAMP, *columns]
    frame = pq.read_table(path, columns=cols).to_pandas().set_index(TIMESTAMP)
    frame.attrs.update(symbol=symbol, timeframe=timeframe)
    return frame


def read_features_panel(
    lake: str | Path, *, timeframe: str = "1d", symbols: Sequence[str] | None = None,
    columns: Sequence[str] | None = None, table: str = FEATURES_TABLE,
) -> dict[str, pd.DataFrame]:
    """Read several symbols' feature frames (all in the features lake when None) as a dict."""
    names = list(symbols) if symbols else list_symbols(lake, timeframe=timeframe, table=table)
    return {s: read_features(lake, symbol=s, timeframe=timeframe, columns=columns, table=table)
            for s in names}


def run_partition(
    path: str | Path,
    out: str | Path,
    compute: Compute,
) -> dict[str, Any]:
    """Read one bars partition, compute its features, write them; return a small summary.

    The summary (symbol, timeframe, rows, columns, path, seconds) is all that travels back to
    a driver, so memory stays flat however many symbols are processed.
    """
    t0 = time.perf_counter()
    bars = read_partition(path)
    symbol, timeframe = bars.attrs["symbol"], bars.attrs["timeframe"]
    try:
        features = compute(bars)
    except Exception as exc:
        exc.add_note(f"while computing features of symbol={symbol} timeframe={timeframe} ({path})")
        raise
    written = write_features(out, features, symbol=symbol, timeframe=timeframe)
    return {
        "symbol": symbol,
        "timeframe": timeframe,
        "rows": len(features),
        "columns": int(features.shape[1]),
        "path": str(written),
        "seconds": time.perf_counter() - t0,
    }


@dataclass
class FeatureBuildSummary:
    """What a feature build did: per-partition summaries and totals."""

    engine: str
    timeframe: str
    out: str
    partitions: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(int(p["rows"]) for p in self.partitions)

    def to_dict(self) -> dict[str, Any]:
        cols = sorted({int(p["columns"]) for p in self.partitions})
        return {
            "engine": self.engine,
            "timeframe": self.timeframe,
            "out": self.out,
            "symbols": len(self.partitions),
            "rows": self.rows,
            "columns": cols,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows / self.seconds, 1) if self.seconds else None,
        }


def build_features_serial(
    lake: str | Path,
    out: str | Path,
    *,
    timeframe: str = "1d",
    symbols: Iterable[str] | None = None,
    compute: Compute,
    on_result: OnResult | None = None,
) -> FeatureBuildSummary:
    """Build the features lake one partition after another (the reference for the Ray path).

    Parameters
    ----------
    lake, out
        Bars lake to read and lake root to write ``features/`` partitions into.
    timeframe, symbols
        Which partitions (all symbols of ``timeframe`` when None).
    compute
        ``bars -> features`` callable, e.g. ``FeatureComputer(spec=None, ml=True)``.
    on_result
        Called with each partition summary as it finishes (progress bars).

    Notes
    -----
    Per-symbol and causal: each partition's features depend only on that symbol's bars (see
    :func:`trading_signals.features.pipeline.compute_features` for the look-ahead semantics).
    """
    files = require_files(
        partition_files(lake, timeframe=timeframe, symbols=list(symbols) if symbols else None),
        lake,
        timeframe,
    )
    summary = FeatureBuildSummary(engine="serial", timeframe=timeframe, out=str(out))
    t0 = time.perf_counter()
    for path in files:
        result = run_partition(path, out, compute)
        summary.partitions.append(result)
        if on_result is not None:
            on_result(result)
    summary.seconds = time.perf_counter() - t0
    return summary
