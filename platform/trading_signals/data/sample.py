"""Packaged sample data: real S&P 500 and NASDAQ Composite daily bars, 1999-2018, from ``arch.data``.

This is the embedded default source: it ships inside the installed ``arch`` package, so it works
offline. Frames are returned *raw* (a ``timestamp`` column plus lowercase OHLCV) so that they go
through the data-quality gate like any other source.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS, TIMESTAMP
from trading_signals.data.raw import RawInput
from trading_signals.errors import DataError, SourceError

#: Sample symbol -> the ``arch.data`` module that holds it.
SAMPLE_DATASETS: dict[str, str] = {"SP500": "arch.data.sp500", "NASDAQ": "arch.data.nasdaq"}

# arch.data column names -> our lowercase names (Adj Close only kept on request).
_COLUMN_MAP = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Volume": "volume",
    "Adj Close": "adj_close",
}


def sample_symbols() -> list[str]:
    """Return the symbols :func:`load_sample` offers, in load order.

    >>> sample_symbols()
    ['SP500', 'NASDAQ']
    """
    return list(SAMPLE_DATASETS)


def load_sample(symbols: Sequence[str] | None = None, *, adj_close: bool = False) -> list[RawInput]:
    """Load the packaged daily sample bars as raw inputs for the gate.

    Parameters
    ----------
    symbols
        Subset of :func:`sample_symbols` to load (all when None), case-insensitive.
    adj_close
        Keep the ``Adj Close`` column as ``adj_close`` (dropped by default: the lake stores
        OHLCV only, and for these indices it equals ``close``).

    Returns
    -------
    list[RawInput]
        One per symbol, ``source="sample:arch.data.<name>"``, ``timeframe="1d"``; each frame has
        a ``timestamp`` column (tz-aware UTC) and float64 ``open high low close volume``, every
        row of the packaged file, in file order.

    Raises
    ------
    DataError
        If a requested symbol is not a sample symbol.
    SourceError
        If ``arch`` or its data files are missing or unreadable.

    Notes
    -----
    ``arch.data`` stamps each bar with its naive exchange trading date. We stamp daily bars at
    00:00 UTC *of the trading date* (the date, not the close instant): a bar's values are known
    only after that day's close, so consumers must treat the stamp as a label for the whole day
    and act no earlier than the next bar, as every backtest in this project does.
    """
    wanted = _resolve_symbols(symbols)
    return [_load_one(sym, adj_close=adj_close) for sym in wanted]


def _resolve_symbols(symbols: Sequence[str] | None) -> list[str]:
    if symbols is None:
        return sample_symbols()
    out: list[str] = []
    for raw in symbols:
        sym = str(raw).upper()
        if sym not in SAMPLE_DATASETS:
            raise DataError(
                f"sample symbol {raw!r} is unknown; choose from {sample_symbols()} "
                "or use the 'files'/'remote' sources for other instruments"
            )
        if sym not in out:
            out.append(sym)
    return out


def _load_one(symbol: str, *, adj_close: bool) -> RawInput:
    module_name = SAMPLE_DATASETS[symbol]
    try:
        loaded = importlib.import_module(module_name).load()
    except (ImportError, OSError) as exc:
        raise SourceError(
            f"sample data {module_name} could not be loaded ({exc}); "
            "install the 'arch' package (pip install arch) to get the bundled sample"
        ) from exc
    return RawInput(
        source=f"sample:{module_name}",
        symbol=symbol,
        frame=_to_raw_frame(loaded, module_name=module_name, adj_close=adj_close),
        timeframe="1d",
    )


def _to_raw_frame(loaded: pd.DataFrame, *, module_name: str, adj_close: bool) -> pd.DataFrame:
    missing = [c for c in ("Open", "High", "Low", "Close", "Volume") if c not in loaded.columns]
    if missing:
        raise SourceError(f"sample data {module_name}: missing column(s) {missing}")
    keep = [c for c in _COLUMN_MAP if c in loaded.columns and (adj_close or c != "Adj Close")]
    frame = loaded.loc[:, keep].rename(columns=_COLUMN_MAP)
    # Lossless: sample volumes are < 2**53; float64 is the canonical dtype.
    frame = frame.astype({c: "float64" for c in frame.columns})
    dates = pd.DatetimeIndex(loaded.index)
    if dates.tz is not None:  # pragma: no cover - arch ships naive dates today
        dates = dates.tz_convert("UTC").normalize()
    else:
        dates = dates.tz_localize("UTC")
    frame.insert(0, TIMESTAMP, dates)
    frame = frame.reset_index(drop=True)
    frame.attrs.update(source=f"sample:{module_name}", timeframe="1d")
    ordered = [TIMESTAMP, *OHLCV_COLUMNS] + (["adj_close"] if "adj_close" in frame else [])
    return frame.loc[:, ordered]
