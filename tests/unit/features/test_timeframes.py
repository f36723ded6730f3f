"""Resampling vs pandas ``resample`` and causal alignment of higher-timeframe values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import DataError
from trading_signals.features.timeframes import (
    align_to_base,
    bar_end,
    period_start,
    resample_ohlcv,
)

AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
PANDAS_RULE = {"4h": "4h", "1d": "1D", "1w": "W-MON"}


@pytest.fixture(scope="module")
def hourly() -> pd.DataFrame:
    # Starts on a Wednesday 05:00 so the first day, 4h block and week are partial.
    return generate_universe(1, 24 * 30 + 7, seed=5, timeframe="1h", start="2024-01-03 05:00").bars["SYN0000"]


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return generate_universe(1, 130, seed=6, timeframe="1d", start="2024-01-03").bars["SYN0000"]


def _pandas_reference(bars: pd.DataFrame, rule: str, base_rule: str) -> pd.DataFrame:
    ref = bars.resample(PANDAS_RULE[rule], label="left", closed="left").agg(AGG).dropna(subset=["open"])
    last_end = bars.index[-1] + pd.Timedelta(base_rule)
    period = {"4h": pd.Timedelta(hours=4), "1d": pd.Timedelta(days=1), "1w": pd.Timedelta(days=7)}[rule]
    return ref[ref.index + period <= last_end]  # only periods that have ended within the data


@pytest.mark.parametrize("rule", ["4h", "1d", "1w"])
def test_resample_ohlcv_hourly_matches_pandas_resample(hourly: pd.DataFrame, rule: str) -> None:
    # Act
    ours = resample_ohlcv(hourly, rule)
    ref = _pandas_reference(hourly, rule, "1h")
    # Assert: values, stamps (period starts) and the dropped trailing period
    pd.testing.assert_frame_equal(ours, ref, check_freq=False, check_names=False)
    assert ours.attrs["timeframe"] == rule and ours.attrs["symbol"] == "SYN0000"


def test_resample_ohlcv_daily_to_weekly_matches_pandas_and_stamps_mondays(daily: pd.DataFrame) -> None:
    # Act
    ours = resample_ohlcv(daily, "1w")
    ref = _pandas_reference(daily, "1w", "1D")
    # Assert
    pd.testing.assert_frame_equal(ours, ref, check_freq=False, check_names=False)
    assert (ours.index.day_of_week == 0).all() and (ours.index == ours.index.normalize()).all()


def test_resample_ohlcv_4h_to_1d_equals_1h_to_1d(hourly: pd.DataFrame) -> None:
    # Act: aggregation is associative through an intermediate timeframe
    direct = resample_ohlcv(hourly, "1d")
    via = resample_ohlcv(resample_ohlcv(hourly, "4h"), "1d")
    # Assert
    pd.testing.assert_frame_equal(direct, via, rtol=1e-12)


def test_resample_ohlcv_keep_incomplete_flags_last_period(hourly: pd.DataFrame) -> None:
    # Arrange: the data ends part-way through a day
    last_day = hourly.index[-1].normalize()
    # Act
    kept = resample_ohlcv(hourly, "1d", drop_incomplete=False)
    dropped = resample_ohlcv(hourly, "1d")
    # Assert
    assert len(kept) == len(dropped) + 1 and kept.attrs["incomplete_last"] is True
    assert kept.index[-1] == last_day
    assert kept["volume"].iloc[-1] == hourly.loc[hourly.index >= last_day, "volume"].sum()


def test_resample_ohlcv_to_finer_or_unknown_rule_raises(daily: pd.DataFrame) -> None:
    # Act / Assert
    with pytest.raises(DataError, match="cannot resample"):
        resample_ohlcv(daily, "4h")
    with pytest.raises(DataError, match="not a timeframe"):
        resample_ohlcv(daily, "2w")


def test_period_start_and_bar_end_conventions() -> None:
    # Arrange: Sunday 23:30, Monday 00:00
    idx = pd.DatetimeIndex(["2024-01-07 23:30", "2024-01-08 00:00", "2024-02-29 13:00"], tz="UTC")
    # Act / Assert
    assert [str(t.date()) for t in period_start(idx, "1w")] == ["2024-01-01", "2024-01-08", "2024-02-26"]
    assert [str(t) for t in period_start(idx, "4h")][2] == "2024-02-29 12:00:00+00:00"
    assert str(period_start(idx, "1mo")[2].date()) == "2024-02-01"
    assert str(bar_end(period_start(idx, "1mo"), "1mo")[2].date()) == "2024-03-01"


def _naive_align(higher: pd.Series, ends: pd.DatetimeIndex, decide: pd.DatetimeIndex) -> np.ndarray:
    out = np.full(len(decide), np.nan)
    for i, d in enumerate(decide):
        visible = [j for j in range(len(ends)) if ends[j] <= d]
        if visible:
            out[i] = higher.iloc[visible[-1]]
    return out


def test_align_to_base_matches_naive_visibility_rule(daily: pd.DataFrame) -> None:
    # Arrange
    weekly = resample_ohlcv(daily, "1w")
    # Act
    got = align_to_base(weekly["close"], daily.index, higher_rule="1w", base_rule="1d")
    # Assert: value at a daily bar = last week whose end (next Monday) <= the day's end
    expected = _naive_align(weekly["close"], weekly.index + pd.Timedelta(days=7), daily.index + pd.Timedelta(days=1))
    np.testing.assert_array_equal(got["close__1w"].to_numpy(), expected)


def test_align_to_base_midweek_sees_previous_week_only(daily: pd.DataFrame) -> None:
    # Arrange
    weekly = resample_ohlcv(daily, "1w")
    aligned = align_to_base(weekly, daily.index, higher_rule="1w", base_rule="1d")
    wednesday = daily.index[(daily.index.day_of_week == 2)][3]
    this_week = period_start(pd.DatetimeIndex([wednesday]), "1w")[0]
    # Act
    seen = aligned.loc[wednesday, "close__1w"]
    # Assert: last week's close, which is the Friday close before this Monday
    assert seen == weekly.loc[this_week - pd.Timedelta(days=7), "close"]
    assert seen == daily.loc[daily.index < this_week, "close"].iloc[-1]


def test_align_to_base_hourly_day_visible_from_next_midnight(hourly: pd.DataFrame) -> None:
    # Arrange
    days = resample_ohlcv(hourly, "1d")
    # Act
    aligned = align_to_base(days["close"], hourly.index, higher_rule="1d", base_rule="1h")
    # Assert: the 23:00 bar (ends 00:00) is the first to see that day's close; 22:00 does not
    day = days.index[2]
    assert aligned.loc[day + pd.Timedelta(hours=23), "close__1d"] == days.loc[day, "close"]
    assert aligned.loc[day + pd.Timedelta(hours=22), "close__1d"] == days["close"].iloc[1]


def test_align_to_base_without_base_rule_is_never_earlier(hourly: pd.DataFrame) -> None:
    # Arrange
    days = resample_ohlcv(hourly, "1d")
    # Act
    exact = align_to_base(days, hourly.index, higher_rule="1d", base_rule="1h")
    stamp = align_to_base(days, hourly.index, higher_rule="1d")
    # Assert: stamp-based decision time reveals each value exactly one bar later
    pd.testing.assert_frame_equal(stamp.iloc[1:], exact.shift(1).iloc[1:])


def test_align_to_base_truncated_history_gives_same_past_values(hourly: pd.DataFrame) -> None:
    # Arrange: cut the bars mid-week / mid-day
    cut = 24 * 12 + 9
    full_w = align_to_base(resample_ohlcv(hourly, "1w"), hourly.index, higher_rule="1w", base_rule="1h")
    part_w = align_to_base(resample_ohlcv(hourly.iloc[:cut], "1w"), hourly.index[:cut], higher_rule="1w", base_rule="1h")
    # Act / Assert: what was known at each bar never depends on later bars
    pd.testing.assert_frame_equal(part_w, full_w.iloc[:cut])
