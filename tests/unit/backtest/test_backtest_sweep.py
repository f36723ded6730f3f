"""The fused numba sweep gives the same numbers as run_backtest + risk.metrics, pair by pair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.backtest import run_backtest, run_sweep, sma_sweep, strategies
from trading_signals.backtest.sweep import SWEEP_COLUMNS, sma_pairs


@pytest.mark.parametrize("opts", [
    {}, {"commission_bps": 5.0, "spread_bps": 2.0, "fill": "next_close"},
    {"long_only": True, "close_at_end": "last_open", "slippage_bps": 1.0},
])
def test_sma_sweep_rows_equal_run_backtest_metrics(synthetic_ohlcv, opts):
    # Arrange
    opts = dict(opts)
    long_only = opts.pop("long_only", False)
    pairs = [(3, 10), (5, 20), (10, 50), (20, 21)]
    # Act
    sweep = sma_sweep(synthetic_ohlcv, pairs=pairs, long_only=long_only, **opts)
    # Assert
    assert list(sweep.columns) == list(SWEEP_COLUMNS)
    for row in sweep.itertuples():
        pos = strategies.sma_cross(synthetic_ohlcv, fast=row.fast, slow=row.slow, long_only=long_only)
        res = run_backtest(synthetic_ohlcv, pos, **opts)
        m = res.metrics
        assert row.final_equity == pytest.approx(res.equity.iloc[-1], rel=1e-12)
        for key in ("total_return", "annual_return", "annual_volatility", "sharpe", "sortino",
                    "max_drawdown"):
            assert getattr(row, key) == pytest.approx(m[key], rel=1e-9), key
        entries = (res.trades.groupby("symbol").size().sum())
        assert row.n_trades == entries


def test_sma_pairs_keeps_fast_below_slow():
    pairs = sma_pairs(range(5, 50), range(10, 200, 5))
    assert (pairs[:, 0] < pairs[:, 1]).all()
    assert len(pairs) == sum(1 for f in range(5, 50) for s in range(10, 200, 5) if f < s)


def test_run_sweep_generic_grid_matches_sma_sweep(synthetic_ohlcv):
    grid = {"fast": [5, 10], "slow": [10, 30]}
    got = run_sweep(synthetic_ohlcv, grid, strategy="sma_cross", commission_bps=2.0)
    ref = sma_sweep(synthetic_ohlcv, [5, 10], [10, 30], commission_bps=2.0)
    assert len(got) == 3  # (10, 10) rejected by sma_cross and skipped
    merged = got.merge(ref, on=["fast", "slow"], suffixes=("", "_ref"))
    np.testing.assert_allclose(merged["sharpe"], merged["sharpe_ref"], rtol=1e-9)
    assert isinstance(merged, pd.DataFrame)


def test_sma_sweep_threads_do_not_change_results(synthetic_ohlcv):
    bars = synthetic_ohlcv.iloc[:400]
    one = sma_sweep(bars, range(2, 30), range(10, 60), commission_bps=1.0, n_threads=1)
    many = sma_sweep(bars, range(2, 30), range(10, 60), commission_bps=1.0, n_threads=3)
    assert len(one) > 512  # enough pairs to be split in chunks
    pd.testing.assert_frame_equal(one, many, check_exact=True)
