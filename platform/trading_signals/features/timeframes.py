"""Multi-timeframe bars: resample OHLCV upwards and align higher-timeframe values back, causally.

Conventions (the whole package uses them):

- A bar is stamped at its period START: a 1h bar stamped 10:00 covers ``[10:00, 11:00)``; a 4h
  bar starts at 00, 04, ..., 20 UTC; a daily bar is stamped 00:00 UTC of its day; a weekly bar is
  stamped **Monday 00:00 UTC** and covers Monday to Sunday; a monthly bar is stamped on the 1st.
- Intervals are closed on the left, open on the right (pandas ``closed="left", label="left"``).
- A bar's value is available at its END, ``available_at = start + duration`` (a weekly bar at
  the next Monday 00:00). This is conservative for daily equity bars, whose close is known at
  16:00 New York time: we never assume a session ends before its period does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from trading_signals.timeframes import TIMEFRAME_TABLE, TIMEFRAMES
from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import DataError

#: OHLCV aggregation rules for resampling.
OHLCV_AGG: Final[Mapping[str, str]] = {
    "open": "first",
    "high": "max",
    "low": "min",
    "close": "last",
    "volume": "sum",
}
_FIXED: Final[dict[str, pd.Timedelta]] = {
    n: pd.Timedelta(tf.duration) for n, tf in TIMEFRAME_TABLE.items() if tf.duration is not None
}


def _check_rule(rule: str, what: str) -> str:
    if rule not in TIMEFRAMES:
        raise DataError(f"{what} {rule!r} is not a timeframe; use one of {', '.join(TIMEFRAMES)}")
    return rule


def period_start(index: pd.DatetimeIndex, rule: str) -> pd.DatetimeIndex:
    """Return the start of the ``rule`` period that contains each timestamp (UTC).

    >>> idx = pd.DatetimeIndex(["2024-01-03 17:00", "2024-01-07 23:00"], tz="UTC")
    >>> [str(t) for t in period_start(idx, "1w")]
    ['2024-01-01 00:00:00+00:00', '2024-01-01 00:00:00+00:00']
    """
    _check_rule(rule, "rule")
    if rule == "1w":
        day = index.floor("D")
        return day - pd.to_timedelta(day.day_of_week, unit="D")
    if rule == "1mo":
        naive = index.tz_convert("UTC").tz_localize(None)
        return naive.to_period("M").to_timestamp().tz_localize("UTC").rename(index.name)
    return index.floor("D" if rule == "1d" else _FIXED[rule])


def bar_end(index: pd.DatetimeIndex, rule: str) -> pd.DatetimeIndex:
    """Return ``available_at``, the end of each bar stamped at its start: ``start + duration``.

    >>> [str(t) for t in bar_end(pd.DatetimeIndex(["2024-01-01"], tz="UTC"), "1w")]
    ['2024-01-08 00:00:00+00:00']
    """
    _check_rule(rule, "rule")
    if rule == "1mo":
        return index + pd.offsets.MonthBegin(1)
    return index + _FIXED[rule]


def _duration(rule: str) -> pd.Timedelta:
    # Upper bound of a period's length, to check that a resample goes upwards.
    return pd.Timedelta(days=31) if rule == "1mo" else _FIXED[rule]


def resample_ohlcv(bars: pd.DataFrame, rule: str, *, drop_incomplete: bool = True) -> pd.DataFrame:
    """Aggregate canonical bars into a higher timeframe (1h -> 4h/1d/1w, 1d -> 1w, ...).

    Parameters
    ----------
    bars
        Canonical OHLCV frame stamped at bar starts; ``attrs["timeframe"]`` (if set) must be a
        finer timeframe than ``rule``.
    rule
        Target timeframe, one of the lake timeframes (``"4h"``, ``"1d"``, ``"1w"``, ``"1mo"``...).
    drop_incomplete
        Drop the trailing period if it has not ended by the end of the last input bar (its
        ``available_at`` lies after the data). With ``False`` it is kept, flagged in
        ``attrs["incomplete_last"] = True``.

    Returns
    -------
    DataFrame
        Canonical frame stamped at period starts: open=first, high=max, low=min, close=last,
        volume=sum over the input bars in ``[start, start + duration)``. Periods with no input
        bars are absent (no fabricated flat bars). ``attrs["timeframe"] = rule``.

    Raises
    ------
    DataError
        For an unknown rule, or one not coarser than the input timeframe.

    Notes
    -----
    No look-ahead: a higher bar aggregates only the input bars inside its own period. Whether
    the trailing period is complete is judged from the input's last bar end, so for business-day
    input the current week stays incomplete until a bar of the next week (or the week's end)
    arrives; use ``drop_incomplete=False`` to inspect it.

    Examples
    --------
    >>> from trading_signals.data.synthetic import generate_universe
    >>> hourly = generate_universe(1, 50, seed=0, timeframe="1h").bars["SYN0000"]
    >>> resample_ohlcv(hourly, "1d").shape
    (2, 5)
    """
    validate_ohlcv(bars, name=f"bars of {bars.attrs.get('symbol', 'frame')}")
    _check_rule(rule, "rule")
    base = bars.attrs.get("timeframe")
    if base is not None and _duration(_check_rule(base, "input timeframe")) >= _duration(rule):
        raise DataError(
            f"resample_ohlcv: cannot resample {base} bars to {rule}; pick a coarser rule"
        )
    keys = period_start(bars.index, rule)
    grouped = bars.loc[:, list(OHLCV_AGG)].groupby(keys, sort=True)
    out = grouped.agg(dict(OHLCV_AGG)).astype(np.float64)
    out.index = pd.DatetimeIndex(out.index, name=bars.index.name)
    incomplete = False
    if len(out) and base is not None:
        last_end = bar_end(bars.index[-1:], base)[0]
        incomplete = bool(bar_end(out.index[-1:], rule)[0] > last_end)
    elif len(out):
        incomplete = True  # unknown input bar length: the last period cannot be proven complete
    if incomplete and drop_incomplete:
        out = out.iloc[:-1]
    out.attrs.update({k: v for k, v in bars.attrs.items() if k != "timeframe"})
    out.attrs["timeframe"] = rule
    out.attrs["incomplete_last"] = incomplete and not drop_incomplete
    return out


def align_to_base(
    higher: pd.DataFrame | pd.Series,
    base_index: pd.DatetimeIndex,
    *,
    higher_rule: str,
    base_rule: str | None = None,
    suffix: str | None = None,
) -> pd.DataFrame:
    """Align higher-timeframe values onto base bars, each visible only once its bar has closed.

    Parameters
    ----------
    higher
        Values computed on higher-timeframe bars stamped at their starts (e.g. features of
        :func:`resample_ohlcv` output).
    base_index
        Index of the base bars (stamped at starts).
    higher_rule
        Timeframe of ``higher``.
    base_rule
        Timeframe of the base bars. A base bar's decision time is its END (``bar_end``). If
        None, the base stamp itself is used, which is later-or-equal to never be early.
    suffix
        Appended to each column name (e.g. ``"__1w"``); default ``f"__{higher_rule}"``.

    Returns
    -------
    DataFrame
        On ``base_index``: at base bar b, the row of the LAST higher bar whose end
        ``start + duration`` is ``<=`` the end of b, i.e. forward-filled; NaN before the first
        higher bar has closed.

    Notes
    -----
    No look-ahead: a weekly value becomes visible at the first base bar ending at or after the
    week's end (Monday 00:00 UTC), so a Wednesday bar sees last week's value, never the current
    week's partial value.

    Examples
    --------
    >>> wk = pd.DataFrame({"x": [1.0, 2.0]},
    ...                   index=pd.DatetimeIndex(["2024-01-01", "2024-01-08"], tz="UTC"))
    >>> days = pd.date_range("2024-01-05", periods=6, freq="D", tz="UTC")
    >>> align_to_base(wk, days, higher_rule="1w", base_rule="1d")["x__1w"].tolist()
    [nan, nan, 1.0, 1.0, 1.0, 1.0]
    """
    frame = higher.to_frame() if isinstance(higher, pd.Series) else higher
    if not isinstance(frame.index, pd.DatetimeIndex) or not isinstance(
        base_index, pd.DatetimeIndex
    ):
        raise DataError("align_to_base: both indexes must be DatetimeIndex (UTC bar starts)")
    if frame.index.tz is None or base_index.tz is None:
        raise DataError(
            "align_to_base: both indexes must be tz-aware (UTC); use .tz_localize('UTC')"
        )
    if not frame.index.is_monotonic_increasing:
        raise DataError("align_to_base: the higher-timeframe index must be increasing; sort it")
    ends = bar_end(frame.index, higher_rule).as_unit("ns").asi8
    decide = (bar_end(base_index, base_rule) if base_rule else base_index).as_unit("ns").asi8
    pos = np.searchsorted(ends, decide, side="right") - 1
    values = frame.to_numpy(dtype=np.float64)
    out = np.full((len(base_index), values.shape[1]), np.nan)
    ok = pos >= 0
    out[ok] = values[pos[ok]]
    sfx = f"__{higher_rule}" if suffix is None else suffix
    return pd.DataFrame(out, index=base_index, columns=[f"{c}{sfx}" for c in frame.columns])
