"""The Parquet lake: ``<lake>/ohlcv/timeframe=<tf>/symbol=<SYMBOL>/part-0000.parquet``.

One file per (timeframe, symbol) partition, written atomically (temp file + ``os.replace``), so
a reader never sees half a partition and Ray Data can map over partitions without a shuffle.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from trading_signals._typing import OHLCV_COLUMNS, TIMESTAMP
from trading_signals.data.schema import check_symbol, check_timeframe, validate_ohlcv
from trading_signals.errors import DataError

PART_NAME = "part-0000.parquet"

OHLCV_SCHEMA = pa.schema(
    [pa.field(TIMESTAMP, pa.timestamp("ns", tz="UTC"), nullable=False)]
    + [pa.field(c, pa.float64(), nullable=False) for c in OHLCV_COLUMNS]
)


def partition_dir(lake: str | Path, *, symbol: str, timeframe: str, table: str = "ohlcv") -> Path:
    """Return the partition directory of one symbol and timeframe (validating both names)."""
    check_symbol(symbol)
    check_timeframe(timeframe)
    return Path(lake) / table / f"timeframe={timeframe}" / f"symbol={symbol}"


def atomic_write_table(table: pa.Table, path: Path) -> Path:
    """Write ``table`` to ``path`` via a temp file in the same directory and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_bars(
    lake: str | Path, bars: pd.DataFrame, *, symbol: str, timeframe: str, table: str = "ohlcv"
) -> Path:
    """Write one symbol's canonical bars, replacing that partition atomically.

    Returns
    -------
    Path
        The partition file written.
    """
    validate_ohlcv(bars, name=f"bars for {symbol}")
    frame = bars.loc[:, list(OHLCV_COLUMNS)].reset_index()
    arrow = pa.Table.from_pandas(frame, schema=OHLCV_SCHEMA, preserve_index=False)
    target = partition_dir(lake, symbol=symbol, timeframe=timeframe, table=table) / PART_NAME
    return atomic_write_table(arrow, target)


def read_bars(
    lake: str | Path,
    *,
    symbol: str,
    timeframe: str = "1d",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    table: str = "ohlcv",
) -> pd.DataFrame:
    """Read one symbol's bars as a canonical frame, optionally within ``[start, end]`` (UTC)."""
    directory = partition_dir(lake, symbol=symbol, timeframe=timeframe, table=table)
    files = sorted(directory.glob("part-*.parquet"))
    if not files:
        raise DataError(
            f"no bars for symbol={symbol} timeframe={timeframe} in {Path(lake)}; "
            "run `tsig data ls --lake ...` to see what is there, or `tsig data import` first"
        )
    filters = _time_filters(start, end)
    frames = [pq.read_table(f, filters=filters or None).to_pandas() for f in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frame = frame.set_index(TIMESTAMP).sort_index()
    frame.attrs.update(symbol=symbol, timeframe=timeframe)
    return frame


def read_panel(
    lake: str | Path,
    *,
    timeframe: str = "1d",
    symbols: list[str] | tuple[str, ...] | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> dict[str, pd.DataFrame]:
    """Read several symbols (all in the lake when ``symbols`` is None) as ``{symbol: frame}``."""
    names = list(symbols) if symbols else list_symbols(lake, timeframe=timeframe)
    return {s: read_bars(lake, symbol=s, timeframe=timeframe, start=start, end=end) for s in names}


def list_symbols(lake: str | Path, *, timeframe: str = "1d", table: str = "ohlcv") -> list[str]:
    """Return the sorted symbols that have a partition for ``timeframe``."""
    base = Path(lake) / table / f"timeframe={check_timeframe(timeframe)}"
    if not base.is_dir():
        return []
    return sorted(p.name.split("=", 1)[1] for p in base.glob("symbol=*") if any(p.glob("part-*.parquet")))


def partition_files(
    lake: str | Path, *, timeframe: str = "1d", symbols: list[str] | tuple[str, ...] | None = None,
    table: str = "ohlcv",
) -> list[Path]:
    """Return the partition files for ``symbols`` (all when None): the unit of Ray fan-out."""
    names = list(symbols) if symbols else list_symbols(lake, timeframe=timeframe, table=table)
    out: list[Path] = []
    for s in names:
        files = sorted(partition_dir(lake, symbol=s, timeframe=timeframe, table=table).glob("part-*.parquet"))
        if not files:
            raise DataError(f"no partition for symbol={s} timeframe={timeframe} in {lake}")
        out.extend(files)
    return out


@dataclass(frozen=True)
class PartitionInfo:
    timeframe: str
    symbol: str
    start: pd.Timestamp
    end: pd.Timestamp
    rows: int
    path: Path


def describe_lake(lake: str | Path, *, table: str = "ohlcv") -> list[PartitionInfo]:
    """Summarise every partition (timeframe, symbol, first/last timestamp, rows) from metadata."""
    base = Path(lake) / table
    infos: list[PartitionInfo] = []
    for tf_dir in sorted(base.glob("timeframe=*")):
        for sym_dir in sorted(tf_dir.glob("symbol=*")):
            for f in sorted(sym_dir.glob("part-*.parquet")):
                ts = pq.read_table(f, columns=[TIMESTAMP]).column(0)
                rows = len(ts)
                if rows == 0:
                    continue
                infos.append(
                    PartitionInfo(
                        timeframe=tf_dir.name.split("=", 1)[1],
                        symbol=sym_dir.name.split("=", 1)[1],
                        start=pd.Timestamp(ts[0].as_py()),
                        end=pd.Timestamp(ts[rows - 1].as_py()),
                        rows=rows,
                        path=f,
                    )
                )
    return infos


def _time_filters(
    start: str | pd.Timestamp | None, end: str | pd.Timestamp | None
) -> list[tuple[str, str, pd.Timestamp]]:
    filters = []
    if start is not None:
        filters.append((TIMESTAMP, ">=", _utc(start)))
    if end is not None:
        filters.append((TIMESTAMP, "<=", _utc(end)))
    return filters


def _utc(value: str | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
