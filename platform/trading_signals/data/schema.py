"""The canonical OHLCV frame and its strict validator.

A canonical frame has a ``DatetimeIndex`` named ``timestamp`` (tz-aware UTC, strictly
increasing, unique) and float64 columns ``open high low close volume``. ``frame.attrs`` carries
``symbol`` and ``timeframe`` when known. Raw input goes through the quality gate
(:mod:`trading_signals.data.gate`) first; this validator guards core entry points.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS, TIMEFRAMES, TIMESTAMP
from trading_signals.errors import DataError

# Letters, digits and . _ - ^ = ; no path separators, no leading dot: safe as a lake directory.
_SAFE_SYMBOL = re.compile(r"^[A-Za-z0-9^][A-Za-z0-9._^=-]{0,39}$")


def same_index(a: pd.Index, b: pd.Index) -> bool:
    """True when two indexes hold the same stamps in the same order, whatever their datetime unit.

    ``Index.equals`` says a nanosecond and a microsecond index of the same stamps differ (and
    pandas 2 and 3 default to different units), so frames a user built must be compared this way.

    Examples
    --------
    >>> ix = pd.date_range("2024-01-01", periods=3, tz="UTC")
    >>> same_index(ix, ix.as_unit("us")), same_index(ix, ix[::-1])
    (True, False)
    """
    if isinstance(a, pd.DatetimeIndex) and isinstance(b, pd.DatetimeIndex):
        if len(a) != len(b) or (a.tz is None) != (b.tz is None):
            return False
        return bool(np.array_equal(a.as_unit("ns").asi8, b.as_unit("ns").asi8))
    return a.equals(b)


def check_symbol(symbol: str) -> str:
    """Return ``symbol`` if it is a safe identifier, else raise :class:`DataError`.

    >>> check_symbol("SP500")
    'SP500'
    """
    if not isinstance(symbol, str) or not _SAFE_SYMBOL.match(symbol) or ".." in symbol:
        raise DataError(
            f"symbol {symbol!r} is not a safe identifier: use 1-40 characters from "
            "letters, digits and . _ - ^ = (no '/', '\\\\', '..' or spaces)"
        )
    return symbol


def check_timeframe(timeframe: str) -> str:
    """Return ``timeframe`` if the lake knows it, else raise :class:`DataError`."""
    if timeframe not in TIMEFRAMES:
        raise DataError(f"timeframe {timeframe!r} is not supported; use one of {', '.join(TIMEFRAMES)}")
    return timeframe


def validate_ohlcv(frame: pd.DataFrame, *, name: str = "frame") -> pd.DataFrame:
    """Check that ``frame`` is a canonical OHLCV frame and return it unchanged.

    Raises
    ------
    DataError
        Naming ``name`` and the first rule the frame breaks.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in OHLCV_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{name}: missing column(s) {missing}; expected {list(OHLCV_COLUMNS)}")
    repeated = [c for c in OHLCV_COLUMNS if int((frame.columns == c).sum()) > 1]
    if repeated:
        raise DataError(f"{name}: duplicate column(s) {repeated}; keep one of each")
    idx = frame.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise DataError(f"{name}: index must be a tz-aware DatetimeIndex named {TIMESTAMP!r}")
    if str(idx.tz) != "UTC":
        raise DataError(f"{name}: index timezone is {idx.tz}; convert with .tz_convert('UTC')")
    if not idx.is_monotonic_increasing or not idx.is_unique:
        raise DataError(f"{name}: timestamps must be unique and strictly increasing; sort and dedupe")
    for col in OHLCV_COLUMNS:
        if frame[col].dtype != np.float64:
            raise DataError(f"{name}: column {col!r} has dtype {frame[col].dtype}, expected float64")
    return frame


def make_ohlcv(
    timestamps: pd.DatetimeIndex | np.ndarray,
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    *,
    symbol: str | None = None,
    timeframe: str | None = None,
) -> pd.DataFrame:
    """Build a canonical frame from arrays (UTC index named ``timestamp``, float64 columns).

    The index is always ``datetime64[ns, UTC]`` (the lake's unit), whatever unit the input has:
    pandas 3 parses strings and builds ranges at microseconds, pandas 2 at nanoseconds, and a
    canonical frame must not depend on which pandas made it.
    """
    idx = pd.DatetimeIndex(timestamps)
    idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    try:
        idx = idx.as_unit("ns")
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise DataError(
            f"timestamps {idx.min()} .. {idx.max()} are outside the range pandas can hold at "
            "nanoseconds (1677-09-21 .. 2262-04-11); drop or correct those rows"
        ) from exc
    frame = pd.DataFrame(
        {
            "open": np.asarray(open_, dtype=np.float64),
            "high": np.asarray(high, dtype=np.float64),
            "low": np.asarray(low, dtype=np.float64),
            "close": np.asarray(close, dtype=np.float64),
            "volume": np.asarray(volume, dtype=np.float64),
        },
        index=idx.rename(TIMESTAMP),
    )
    if symbol is not None:
        frame.attrs["symbol"] = symbol
    if timeframe is not None:
        frame.attrs["timeframe"] = timeframe
    return frame
