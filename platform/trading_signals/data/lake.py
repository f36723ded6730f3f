"""The Parquet lake: ``<lake>/ohlcv/timeframe=<tf>/symbol=<SYMBOL>/part-0000.parquet``.

One file per (timeframe, symbol) partition, written atomically (temp file + ``os.replace``
locally, one complete-object upload on object stores), so a reader never sees half a partition
and Ray can map over partitions without a shuffle.

``lake`` is any storage location (:mod:`trading_signals.data.storage`): a local path, ``file://``
or ``s3://``/``gs://`` URI. Locations derived from a local lake are returned as ``Path`` (as
before); those under a URI are returned as ``str`` URIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from trading_signals._typing import OHLCV_COLUMNS, TIMESTAMP
from trading_signals.data import storage
from trading_signals.data.schema import check_symbol, check_timeframe, validate_ohlcv
from trading_signals.errors import DataError

PART_NAME = "part-0000.parquet"
PART_GLOB = "part-*.parquet"

OHLCV_SCHEMA = pa.schema(
    [pa.field(TIMESTAMP, pa.timestamp("ns", tz="UTC"), nullable=False)]
    + [pa.field(c, pa.float64(), nullable=False) for c in OHLCV_COLUMNS]
)


def child(location: str | Path, *parts: str) -> Path | str:
    """``location / parts``: a ``Path`` for local locations, a ``str`` URI on object stores."""
    if storage.is_remote(location):
        return storage.join(location, *parts)
    return Path(storage.local_path(location), *parts)


def partition_dir(lake: str | Path, *, symbol: str, timeframe: str, table: str = "ohlcv") -> Path | str:
    """Return the partition directory of one symbol and timeframe (validating both names)."""
    check_symbol(symbol)
    check_timeframe(timeframe)
    return child(lake, table, f"timeframe={timeframe}", f"symbol={symbol}")


def partition_path(lake: str | Path, *, symbol: str, timeframe: str, table: str = "ohlcv") -> Path | str:
    """Return the partition file (``.../symbol=<SYM>/part-0000.parquet``)."""
    return child(partition_dir(lake, symbol=symbol, timeframe=timeframe, table=table), PART_NAME)


def atomic_write_table(table: pa.Table, path: str | Path, **parquet_options: object) -> Path | str:
    """Write ``table`` to ``path`` atomically (zstd Parquet; see :func:`storage.write_table_atomic`)."""
    storage.write_table_atomic(table, path, **parquet_options)
    return path


def write_bars(
    lake: str | Path, bars: pd.DataFrame, *, symbol: str, timeframe: str, table: str = "ohlcv",
    replace: bool = True,
) -> Path | str:
    """Write one symbol's canonical bars, replacing that partition atomically.

    Parameters
    ----------
    replace : bool, default True
        When False, an existing partition whose bars differ from ``bars`` is an error
        (:class:`DataError`) instead of being overwritten; identical bars are not rewritten.

    Returns
    -------
    Path or str
        The partition file written.
    """
    validate_ohlcv(bars, name=f"bars for {symbol}")
    if not replace:
        check_no_overwrite(lake, bars, symbol=symbol, timeframe=timeframe, table=table)
    frame = bars.loc[:, list(OHLCV_COLUMNS)].reset_index()
    arrow = pa.Table.from_pandas(frame, schema=OHLCV_SCHEMA, preserve_index=False)
    target = partition_path(lake, symbol=symbol, timeframe=timeframe, table=table)
    return atomic_write_table(arrow, target)


def partition_differs(
    lake: str | Path, bars: pd.DataFrame, *, symbol: str, timeframe: str, table: str = "ohlcv"
) -> str | None:
    """Describe how the stored partition differs from ``bars`` (None if absent or identical)."""
    target = partition_path(lake, symbol=symbol, timeframe=timeframe, table=table)
    if not storage.is_file(target):
        return None
    old = read_bars(lake, symbol=symbol, timeframe=timeframe, table=table)
    new = bars.loc[:, list(OHLCV_COLUMNS)]
    # Compare instants as int64 nanoseconds: Index.equals is False across units (us vs ns) with
    # distinct UTC tz objects under pandas 3, although the instants are the same.
    same_times = len(old) == len(new) and np.array_equal(
        old.index.as_unit("ns").asi8, new.index.as_unit("ns").asi8
    )
    if same_times and np.array_equal(
        old.loc[:, list(OHLCV_COLUMNS)].to_numpy(), new.to_numpy(), equal_nan=True
    ):
        return None
    span = (f"{old.index[0].isoformat()} .. {old.index[-1].isoformat()}" if len(old) else "empty")
    return f"{len(old)} stored bars ({span}) vs {len(new)} new bars"


def check_no_overwrite(
    lake: str | Path, bars: pd.DataFrame, *, symbol: str, timeframe: str, table: str = "ohlcv"
) -> None:
    """Raise :class:`DataError` if the stored partition holds bars different from ``bars``."""
    diff = partition_differs(lake, bars, symbol=symbol, timeframe=timeframe, table=table)
    if diff is not None:
        raise DataError(
            f"the lake {storage.as_str(lake)} already holds different bars for symbol={symbol} "
            f"timeframe={timeframe} ({diff}); refusing to overwrite them. Pass --replace to "
            "overwrite, use --mode merge to add only new bars, or choose another --lake"
        )


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
    files = [child(directory, n) for n in storage.listdir(directory, PART_GLOB)]
    if not files:
        raise DataError(
            f"no bars for symbol={symbol} timeframe={timeframe} in {storage.as_str(lake)}; "
            "run `tsig data ls --lake ...` to see what is there, or `tsig data import` first"
        )
    filters = _time_filters(start, end)
    frames = [storage.read_table(f, filters=filters or None).to_pandas() for f in files]
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
    base = child(lake, table, f"timeframe={check_timeframe(timeframe)}")
    return [d.split("=", 1)[1] for d in storage.listdir(base, "symbol=*")
            if storage.listdir(child(base, d), PART_GLOB)]


def partition_files(
    lake: str | Path, *, timeframe: str = "1d", symbols: list[str] | tuple[str, ...] | None = None,
    table: str = "ohlcv",
) -> list[Path | str]:
    """Return the partition files for ``symbols`` (all when None): the unit of Ray fan-out."""
    names = list(symbols) if symbols else list_symbols(lake, timeframe=timeframe, table=table)
    out: list[Path | str] = []
    for s in names:
        directory = partition_dir(lake, symbol=s, timeframe=timeframe, table=table)
        files = [child(directory, n) for n in storage.listdir(directory, PART_GLOB)]
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
    path: Path | str


def describe_lake(lake: str | Path, *, table: str = "ohlcv") -> list[PartitionInfo]:
    """Summarise every partition (timeframe, symbol, first/last timestamp, rows) from metadata."""
    base = child(lake, table)
    infos: list[PartitionInfo] = []
    for tf_name in storage.listdir(base, "timeframe=*"):
        for sym_name in storage.listdir(child(base, tf_name), "symbol=*"):
            sym_dir = child(base, tf_name, sym_name)
            for name in storage.listdir(sym_dir, PART_GLOB):
                f = child(sym_dir, name)
                ts = storage.read_table(f, columns=[TIMESTAMP]).column(0)
                rows = len(ts)
                if rows == 0:
                    continue
                infos.append(
                    PartitionInfo(
                        timeframe=tf_name.split("=", 1)[1],
                        symbol=sym_name.split("=", 1)[1],
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
