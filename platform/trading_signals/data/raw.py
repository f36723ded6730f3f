"""The raw-input record shared by every data source (files, sample, synthetic, remote)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class RawInput:
    """One raw table from a source, before the data-quality gate.

    Attributes
    ----------
    source : str
        Where the rows came from (a file path, ``"sample:sp500"``, ``"remote:stooq"``...);
        named in every gate message.
    symbol : str or None
        Symbol of every row, or ``None`` when the frame has a ``symbol`` column.
    frame : pandas.DataFrame
        The rows as read: a timestamp column (or DatetimeIndex) and OHLCV columns, any dtype.
    timeframe : str
        Bar timeframe of the rows (one of ``TIMEFRAMES``).

    Notes
    -----
    No look-ahead concern here: this is a container; the gate judges the rows.
    """

    source: str
    symbol: str | None
    frame: pd.DataFrame
    timeframe: str = "1d"
