"""The event-driven sweep kernel equals the obvious bar-by-bar fused loop (`_kernels.cross_stats`).

The bar-by-bar loop is itself proven equal to ``run_backtest`` + ``risk.metrics`` in
test_backtest_sweep.py; here the fast kernel is checked against it on the cases its shortcuts
must get right: ruin (long and short), flat stretches (long only), fills at the close, closing at
the last open, crossings on the last bars, exact ties between the averages, and random series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.backtest import _kernels, _sweep_kernels, run_backtest, sma_sweep, strategies
from trading_signals.data.schema import make_ohlcv

EXACT = [0, 1, 5, 6, 7]  # total/annual return, max drawdown, entries, final equity: same arithmetic
SUMS = [2, 3, 4]  # vol, Sharpe, Sortino: same terms, summed in another order


def _both(open_, close, pairs, *, rate=1e-3, fill_at_close=False, long_only=False, end_at_open=False):
    windows, inverse = np.unique(np.asarray(pairs), return_inverse=True)
    smas = _sweep_kernels.sma_rows(close, windows.astype(np.int64))
    idx = inverse.reshape(-1, 2)
    opts = (rate, 10_000.0, fill_at_close, long_only, end_at_open, 252.0)
    fast = _sweep_kernels.sweep_cross_fast(open_, close, _sweep_kernels.range_table(close), smas,
                                           np.ascontiguousarray(idx[:, 0]),
                                           np.ascontiguousarray(idx[:, 1]), *opts)
    ref = np.empty_like(fast)
    for p, (i, j) in enumerate(idx):
        _kernels.cross_stats(open_, close, smas[i], smas[j], *opts, ref[p])
    return fast, ref


def _assert_same(fast, ref):
    np.testing.assert_array_equal(fast[:, EXACT], ref[:, EXACT])
    np.testing.assert_allclose(fast[:, SUMS], ref[:, SUMS], rtol=1e-12, atol=0.0)


def _walk(n, seed, vol=0.02, drift=0.0):
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(drift, vol, n)))
    open_ = close * np.exp(rng.normal(0.0, vol / 3, n))
    return np.ascontiguousarray(open_), np.ascontiguousarray(close)


PAIRS = [(2, 3), (2, 5), (3, 8), (5, 20), (10, 30), (20, 21)]
OPTIONS = [
    {}, {"long_only": True}, {"fill_at_close": True}, {"end_at_open": True},
    {"long_only": True, "end_at_open": True, "fill_at_close": True}, {"rate": 0.0},
]


@pytest.mark.parametrize("opts", OPTIONS)
def test_sweep_kernel_random_walk_equals_bar_loop(opts):
    open_, close = _walk(700, seed=3)
    fast, ref = _both(open_, close, PAIRS, **opts)
    assert (ref[:, 6] > 3).all()  # the pairs do trade
    _assert_same(fast, ref)


@pytest.mark.parametrize("opts", OPTIONS)
def test_sweep_kernel_ruin_equals_bar_loop(opts):
    # Rallies ending in an overnight crash (longs wiped out) and slides ending in a squeeze
    # (shorts more than double against them), with choppy stretches in between.
    up = 10.0 * np.exp(np.linspace(0.0, 1.0, 80))
    down = 10.0 * np.exp(np.linspace(0.0, -1.0, 80))
    zigzag = 10.0 * (1.5 + np.sin(np.arange(40) / 2.0))
    close = np.ascontiguousarray(np.concatenate([
        zigzag, up, [up[-1] * 0.004], zigzag, down, [down[-1] * 4.0], zigzag, up, down]))
    open_ = np.ascontiguousarray(np.roll(close, 1) * 0.999 + close * 0.001)
    open_[0] = close[0]
    fast, ref = _both(open_, close, PAIRS, **({"rate": 0.02} | opts))
    assert (ref[:, 7] == 0.0).any()  # ruin happens for some pair
    _assert_same(fast, ref)


def test_sweep_kernel_ties_and_late_crossings_equal_bar_loop():
    # Constant stretches make both averages equal (no strict crossover); the series ends on a
    # crossing so fills fall on the last bars.
    close = np.ascontiguousarray(np.r_[np.full(30, 50.0), np.linspace(50, 60, 20), np.full(25, 60.0),
                                       np.linspace(60, 40, 15), np.full(12, 40.0), [41.0, 45.0, 50.0]])
    open_ = np.ascontiguousarray(close * 1.001)
    for opts in OPTIONS:
        fast, ref = _both(open_, close, [(2, 3), (2, 4), (3, 5), (4, 9), (1, 2)], **opts)
        _assert_same(fast, ref)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 300), vol=st.floats(0.001, 0.3),
       long_only=st.booleans(), end_at_open=st.booleans(), fill_at_close=st.booleans())
def test_sweep_kernel_property_equals_bar_loop(seed, n, vol, long_only, end_at_open, fill_at_close):
    open_, close = _walk(n, seed, vol=vol)
    pairs = [(f, s) for f in (1, 2, 3, 7) for s in (2, 5, 13, 40) if f < s]
    fast, ref = _both(open_, close, pairs, long_only=long_only, end_at_open=end_at_open,
                      fill_at_close=fill_at_close)
    _assert_same(fast, ref)


def test_sma_sweep_ruin_rows_equal_run_backtest():
    # The engine liquidates at the ruin close and stays at 0; the sweep must agree.
    up = 10.0 * np.exp(np.linspace(0.0, 3.0, 120))
    close = np.r_[10.0 * (1.5 + np.sin(np.arange(40) / 2.0)), up]
    index = pd.date_range("2020-01-01", periods=close.size, freq="D", tz="UTC")
    bars = make_ohlcv(index, close * 1.001, close * 1.01, close * 0.99, close, np.ones_like(close),
                      symbol="RUIN", timeframe="1d")
    sweep = sma_sweep(bars, pairs=[(2, 3), (3, 8)], commission_bps=20.0)
    assert (sweep["final_equity"] == 0.0).any()
    for row in sweep.itertuples():
        res = run_backtest(bars, strategies.sma_cross(bars, fast=row.fast, slow=row.slow),
                           commission_bps=20.0)
        assert row.final_equity == res.final_equity
        for key in ("total_return", "annual_return", "annual_volatility", "sharpe", "sortino",
                    "max_drawdown"):
            assert getattr(row, key) == pytest.approx(res.metrics[key], rel=1e-9, nan_ok=True), key
