"""Frames a user builds may carry another datetime unit than the lake's nanoseconds (pandas 3
defaults to microseconds): every input that must sit on the bars' stamps is compared by value,
and the results equal those of all-nanosecond inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import trading_signals as ts
from trading_signals.data.schema import same_index
from trading_signals.errors import DataError

BARS = ts.generate_universe(2, 260, seed=5).bars
A, B = BARS["SYN0000"], BARS["SYN0001"]
UNITS = ("s", "ms", "us")


def _in_unit(frame, unit: str):
    return frame.set_axis(frame.index.as_unit(unit))


def _frames_equal(x: pd.DataFrame, y: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(x, y, check_exact=True)


@pytest.mark.parametrize("unit", UNITS)
def test_signals_take_indicators_sentiment_and_model_features_in_any_unit(unit) -> None:
    ind = ts.compute_indicators(A)
    rng = np.random.default_rng(0)
    sent = pd.DataFrame({"sentiment_score": rng.uniform(-1, 1, len(A))}, index=A.index)
    want = ts.generate_signals(A, timeframe="1d", indicators=ind, sentiment=sent)
    got = ts.generate_signals(A, timeframe="1d", indicators=_in_unit(ind, unit),
                              sentiment=_in_unit(sent, unit))
    _frames_equal(got, want)
    assert got.index.equals(A.index)  # the bars' stamps and unit, not the input's


@pytest.mark.parametrize("unit", UNITS)
def test_backtest_takes_positions_and_panel_members_in_any_unit(unit) -> None:
    pos = pd.DataFrame({"SYN0000": np.sign(np.sin(np.arange(len(A)) / 9.0)),
                        "SYN0001": np.sign(np.cos(np.arange(len(A)) / 7.0))}, index=A.index)
    want = ts.run_backtest({"SYN0000": A, "SYN0001": B}, pos, ts.BacktestConfig())
    got = ts.run_backtest({"SYN0000": A, "SYN0001": _in_unit(B, unit)}, _in_unit(pos, unit),
                          ts.BacktestConfig())
    assert got.metrics == want.metrics
    np.testing.assert_array_equal(got.returns.to_numpy(), want.returns.to_numpy())


def test_a_different_calendar_is_still_refused_whatever_the_unit() -> None:
    ind = _in_unit(ts.compute_indicators(A).iloc[1:], "us")
    with pytest.raises(DataError, match="index differs"):
        ts.generate_signals(A.iloc[:-1], timeframe="1d", indicators=ind)


def test_same_index_compares_stamps_not_units() -> None:
    ix = A.index
    assert same_index(ix, ix.as_unit("ms"))
    assert not same_index(ix, ix + pd.Timedelta("1D"))
    assert not same_index(ix, ix.tz_localize(None))
    assert not same_index(ix, ix[:-1])
