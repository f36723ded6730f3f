"""One timeframe table: every module's timeframe facts come from ``trading_signals.timeframes``."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from trading_signals import timeframes as tfm
from trading_signals.timeframes import TIMEFRAME_TABLE, TIMEFRAMES, get_timeframe, periods_per_year

PKG = Path(tfm.__file__).parent


def test_table_is_ordered_and_consistent() -> None:
    tfs = list(TIMEFRAME_TABLE.values())
    assert [t.order for t in tfs] == list(range(len(tfs)))
    fixed = [t for t in tfs if t.duration is not None]
    assert all(a.duration < b.duration for a, b in zip(fixed, fixed[1:], strict=False))
    # equity-session convention: intraday bars per year = 252 sessions x 6.5 h / bar length
    for t in fixed:
        if t.duration < timedelta(days=1):
            assert t.periods_per_year == pytest.approx(252 * 6.5 * 3600 / t.duration.total_seconds())
    assert periods_per_year("1h") == 1638.0 and periods_per_year(None) == 252.0
    # every offset is a pandas offset whose fixed length (if any) equals the duration
    for t in fixed:
        assert pd.Timedelta(pd.tseries.frequencies.to_offset(t.offset)) == pd.Timedelta(t.duration)


def test_unknown_timeframe_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="1min, 5min"):
        get_timeframe("7x")


def test_every_consumer_reads_the_one_table() -> None:
    from trading_signals._typing import TIMEFRAMES as typing_tfs
    from trading_signals.backtest._inputs import PERIODS_PER_YEAR
    from trading_signals.data.synthetic import BARS_PER_YEAR
    from trading_signals.features.timeframes import _FIXED
    from trading_signals.sentiment.aggregate import _TIMEFRAME_DURATION
    from trading_signals.signals.consensus import _ORDER

    assert typing_tfs == TIMEFRAMES == _ORDER
    assert PERIODS_PER_YEAR == {n: t.periods_per_year for n, t in TIMEFRAME_TABLE.items()}
    assert all(BARS_PER_YEAR[n] == TIMEFRAME_TABLE[n].periods_per_year for n in BARS_PER_YEAR)
    assert {n: d.to_pytimedelta() for n, d in _FIXED.items()} == {
        n: t.duration for n, t in TIMEFRAME_TABLE.items() if t.duration is not None
    }
    assert _TIMEFRAME_DURATION == {n: t.duration for n, t in TIMEFRAME_TABLE.items() if t.duration}


def test_no_second_periods_per_year_table_in_the_package() -> None:
    # The tables that used to disagree (hourly: 24 * 365 vs 252 * 6.5 bars a year) are gone:
    # no bars-per-year formula or per-timeframe number table outside the one table.
    pattern = re.compile(r"24 \* 365|252 \* 6\.5|252 \* 390|[\"']1h[\"']\s*:\s*[1-9][0-9]{2}")
    offenders = [
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if p.name != "timeframes.py" or p.parent != PKG
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
