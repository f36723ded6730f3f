"""Hypothesis properties of the backtest engine and metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.backtest import run_backtest
from trading_signals.data.schema import make_ohlcv
from trading_signals.risk import metrics as m

N = 60


def _bars(seed: int, n: int = N) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.03, n)))
    open_ = close * np.exp(rng.normal(0, 0.01, n))
    idx = pd.bdate_range("2021-01-01", periods=n, tz="UTC")
    return make_ohlcv(idx, open_, np.maximum(open_, close), np.minimum(open_, close), close,
                      np.ones(n), symbol="P", timeframe="1d")


def _targets(seed: int, idx: pd.DatetimeIndex) -> pd.Series:
    rng = np.random.default_rng(seed + 1000)
    return pd.Series(rng.choice([-1.0, -0.3, 0.0, 0.5, 1.0], len(idx)), index=idx)


seeds = st.integers(0, 10_000)


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_backtest_zero_position_equity_constant(seed):
    bars = _bars(seed)
    res = run_backtest(bars, pd.Series(0.0, index=bars.index), commission_bps=10)
    assert (res.equity == 10_000.0).all() and (res.returns == 0).all() and res.trades.empty


@settings(max_examples=25, deadline=None)
@given(seed=seeds, bps=st.floats(0.5, 50))
def test_backtest_costs_never_increase_equity(seed, bps):
    bars, pos = _bars(seed), _targets(seed, _bars(seed).index)
    free = run_backtest(bars, pos.clip(-1, 1) * 0.5)
    paid = run_backtest(bars, pos.clip(-1, 1) * 0.5, commission_bps=bps, spread_bps=bps)
    assert (paid.equity.to_numpy() <= free.equity.to_numpy() + 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(r=st.lists(st.floats(-0.99, 2.0), min_size=1, max_size=80))
def test_metrics_drawdown_within_unit_interval(r):
    assert 0.0 <= m.max_drawdown(r) <= 1.0
    assert (m.drawdown_series(r) >= 0).all()


@settings(max_examples=25, deadline=None)
@given(seed=seeds, k=st.floats(0.01, 100))
def test_metrics_sharpe_scale_invariant(seed, k):
    r = np.random.default_rng(seed).normal(0.001, 0.02, 100)
    assert np.isclose(m.sharpe_ratio(r * k), m.sharpe_ratio(r), rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, t=st.integers(5, N - 2), fill=st.sampled_from(["next_open", "next_close"]))
def test_backtest_future_prices_do_not_change_past_equity(seed, t, fill):
    # Arrange: same decisions, prices after bar t scrambled
    bars = _bars(seed)
    pos = _targets(seed, bars.index)
    other = bars.copy()
    other.iloc[t + 1:, :4] *= np.random.default_rng(seed).uniform(0.5, 2.0, (N - t - 1, 1))
    # Act
    a = run_backtest(bars, pos, commission_bps=5, fill=fill)
    b = run_backtest(other, pos, commission_bps=5, fill=fill)
    # Assert
    np.testing.assert_array_equal(a.equity.to_numpy()[: t + 1], b.equity.to_numpy()[: t + 1])


@settings(max_examples=25, deadline=None)
@given(seed=seeds, t=st.integers(3, N - 3))
def test_backtest_decision_at_t_affects_returns_from_fill_bar_only(seed, t):
    # Arrange: flip only the decision taken at the close of t
    bars = _bars(seed)
    pos = _targets(seed, bars.index)
    flipped = pos.copy()
    flipped.iloc[t] = 1.0 if pos.iloc[t] != 1.0 else -1.0
    # Act
    a = run_backtest(bars, pos, fill="next_close")
    b = run_backtest(bars, flipped, fill="next_close")
    # Assert: bars up to t identical; the fill bar t+1 is where it may first differ
    np.testing.assert_array_equal(a.equity.to_numpy()[: t + 1], b.equity.to_numpy()[: t + 1])
    c = run_backtest(bars, pos, fill="next_open")
    d = run_backtest(bars, flipped, fill="next_open")
    np.testing.assert_array_equal(c.equity.to_numpy()[: t + 1], d.equity.to_numpy()[: t + 1])
    assert not np.array_equal(c.equity.to_numpy()[t + 1:], d.equity.to_numpy()[t + 1:])
