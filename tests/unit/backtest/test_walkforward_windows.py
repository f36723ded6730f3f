"""Walk-forward windows: ordering, purge/embargo gaps, anchoring and calendar periods."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trading_signals.backtest.windows import make_windows, parse_period
from trading_signals.errors import ConfigError

IDX = pd.bdate_range("2015-01-01", periods=1200, tz="UTC")


@settings(max_examples=40, deadline=None)
@given(train=st.integers(5, 400), test=st.integers(1, 200), step_extra=st.integers(0, 50),
       purge=st.integers(0, 10), embargo=st.integers(0, 10), anchored=st.booleans())
def test_make_windows_bars_train_precedes_test_with_gap(train, test, step_extra, purge, embargo, anchored):
    windows = make_windows(IDX, train=train, test=test, step=test + step_extra, purge=purge,
                           embargo=embargo, anchored=anchored)
    prev_test_end = -1
    for w in windows:
        assert 0 <= w.train_start < w.train_end <= w.test_start < w.test_end <= len(IDX)
        assert w.test_start - w.train_end == purge + embargo
        assert w.test_end - w.test_start <= test
        assert w.test_start >= prev_test_end  # test blocks never overlap
        prev_test_end = w.test_end
        if anchored:
            assert w.train_start == 0
        else:
            assert w.train_end - w.train_start <= train


def test_make_windows_rolling_tiles_the_tail_without_gaps() -> None:
    windows = make_windows(IDX, train=300, test=100, purge=3)
    starts = [w.test_start for w in windows]
    assert starts[0] == 303 and all(b - a == 100 for a, b in zip(starts, starts[1:], strict=False))
    assert windows[-1].test_end == len(IDX)


def test_make_windows_calendar_periods_follow_the_calendar() -> None:
    windows = make_windows(IDX, train="2y", test="6m", purge=2)
    for w in windows[:-1]:
        b = w.bounds(IDX)
        assert b["test_end"] - b["test_start"] < pd.Timedelta(days=184)
        assert b["test_end"] - b["test_start"] > pd.Timedelta(days=170)
        assert b["train_end"] - b["train_start"] <= pd.Timedelta(days=731)


@pytest.mark.parametrize("bad", ["6 months", "x", "", "3q"])
def test_parse_period_rejects_unknown_text(bad: str) -> None:
    with pytest.raises(ConfigError):
        parse_period(bad)


def test_make_windows_too_little_data_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no walk-forward window"):
        make_windows(IDX[:50], train=100, test=10)
