"""The one timeframe table: name, pandas offset, duration, periods per year and order.

Every module that needs a fact about a bar timeframe looks it up here (the lake's timeframe
names, resampling offsets, bar durations for ``available_at``, Sharpe annualisation, the order
of timeframes in the consensus); there is no second table to disagree with.

Periods per year: one convention, the **equity-session calendar**: 252 trading days a year and
6.5-hour regular sessions, so ``1d`` = 252, ``1h`` = 252 x 6.5 = 1638, ``1min`` = 252 x 390,
``1w`` = 52, ``1mo`` = 12. The synthetic generator scales its annual drift and volatility with
the same numbers, so annualised statistics of synthetic bars come out as configured. Data on
another calendar (24/7 crypto: 1h = 8760; 24/5 FX: 1h = 6240) sets
``BacktestConfig.periods_per_year`` explicitly.

Rank 0: imports nothing from the package and no third-party library (``tsig`` start-up).

Examples
--------
>>> TIMEFRAME_TABLE["1h"].periods_per_year
1638.0
>>> [tf.name for tf in TIMEFRAME_TABLE.values() if tf.order > TIMEFRAME_TABLE["1d"].order]
['1w', '1mo']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

__all__ = [
    "TIMEFRAMES",
    "TIMEFRAME_TABLE",
    "Timeframe",
    "daily_or_slower",
    "get_timeframe",
    "periods_per_year",
]

TRADING_DAYS: Final = 252
SESSION_HOURS: Final = 6.5


@dataclass(frozen=True)
class Timeframe:
    """One bar timeframe.

    Attributes
    ----------
    name
        The lake/config name (``"1h"``).
    offset
        pandas offset alias for ``resample`` / ``date_range`` (``"1h"``, ``"1D"``, ``"MS"``).
    duration
        Length of one bar, or ``None`` for calendar months (variable length).
    periods_per_year
        Bars per year under the equity-session convention (module docstring).
    order
        Rank from finest (0) to coarsest.
    """

    name: str
    offset: str
    duration: timedelta | None
    periods_per_year: float
    order: int


def _intraday(name: str, minutes: int, order: int) -> Timeframe:
    per_day = SESSION_HOURS * 60 / minutes
    return Timeframe(name, name, timedelta(minutes=minutes), TRADING_DAYS * per_day, order)


TIMEFRAME_TABLE: Final[dict[str, Timeframe]] = {
    tf.name: tf
    for tf in (
        _intraday("1min", 1, 0),
        _intraday("5min", 5, 1),
        _intraday("15min", 15, 2),
        _intraday("30min", 30, 3),
        _intraday("1h", 60, 4),
        _intraday("4h", 240, 5),
        Timeframe("1d", "1D", timedelta(days=1), float(TRADING_DAYS), 6),
        Timeframe("1w", "7D", timedelta(days=7), 52.0, 7),
        Timeframe("1mo", "MS", None, 12.0, 8),
    )
}

#: Timeframe names, finest first.
TIMEFRAMES: Final[tuple[str, ...]] = tuple(TIMEFRAME_TABLE)


def get_timeframe(name: str) -> Timeframe:
    """Return the :class:`Timeframe` called ``name`` (ValueError listing the valid names)."""
    try:
        return TIMEFRAME_TABLE[name]
    except (KeyError, TypeError):
        valid = ", ".join(TIMEFRAMES)
        raise ValueError(f"unknown timeframe {name!r}; use one of {valid}") from None


def periods_per_year(name: str | None, default: str = "1d") -> float:
    """Bars per year of timeframe ``name`` (``default``'s when ``name`` is None or unknown)."""
    tf = TIMEFRAME_TABLE.get(name or default) or TIMEFRAME_TABLE[default]
    return tf.periods_per_year


def daily_or_slower() -> frozenset[str]:
    """Names of the timeframes whose bars are one day or longer (dates, not times)."""
    day = TIMEFRAME_TABLE["1d"].order
    return frozenset(n for n, tf in TIMEFRAME_TABLE.items() if tf.order >= day)
