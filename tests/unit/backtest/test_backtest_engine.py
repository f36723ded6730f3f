"""Unit tests of run_backtest: hand-checkable fills, validation, panels, limits, vol targeting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.backtest import BacktestResult, run_backtest
from trading_signals.backtest.sizing import limit_exposure, vol_target
from trading_signals.errors import ConfigError, DataError


def test_run_backtest_tiny_long_fills_next_open_by_hand(tiny_ohlcv):
    # Arrange: decide long at the close of bar 1 -> buy at open of bar 2 (11.0)
    pos = pd.Series([0, 1, 1, 1, 1, 1, 1, 1], index=tiny_ohlcv.index, dtype=float)
    # Act
    res = run_backtest(tiny_ohlcv, pos, initial_cash=1100.0)
    # Assert: 100 shares bought at 11, marked at each close
    assert isinstance(res, BacktestResult)
    expected = [1100, 1100] + [100 * c for c in tiny_ohlcv["close"].iloc[2:]]
    np.testing.assert_allclose(res.equity.to_numpy(), expected)
    assert res.shares.iloc[2, 0] == pytest.approx(100.0)
    tr = res.trades.iloc[0]
    assert tr["entry_time"] == tiny_ohlcv.index[2] and tr["entry_price"] == 11.0 and tr["is_open"]
    assert tr["pnl"] == pytest.approx(100 * (12.0 - 11.0))


def test_run_backtest_next_close_fill_and_costs_by_hand(tiny_ohlcv):
    # Arrange: long at close 0 -> buy at close of bar 1 (11.0); flat at close 1 -> sell at close 2
    # (12.0); 10 bps commission + 20 bps spread (half per side) = 0.2% per side
    pos = pd.Series([1, 0, 0, 0, 0, 0, 0, 0], index=tiny_ohlcv.index, dtype=float)
    # Act
    res = run_backtest(tiny_ohlcv, pos, fill="next_close", commission_bps=10, spread_bps=20,
                       initial_cash=1100.0)
    # Assert: buy 100 @ 11 paying 0.2% of 1100 = 2.2; sell 100 @ 12 paying 2.4
    assert res.equity.iloc[1] == pytest.approx(1100 - 2.2)
    assert res.equity.iloc[2] == pytest.approx(1100 - 2.2 + 100 * (12 - 11) - 2.4)
    assert res.trades["costs"].iloc[0] == pytest.approx(4.6)
    assert res.trades["pnl"].iloc[0] == pytest.approx(100 - 4.6)


def test_run_backtest_short_profits_when_price_falls(tiny_ohlcv):
    pos = pd.Series(0.0, index=tiny_ohlcv.index)
    pos.iloc[2] = -1.0  # short at open of bar 3 (12), flat at open of bar 4 (11)
    res = run_backtest(tiny_ohlcv, pos, initial_cash=1200.0)
    assert res.equity.iloc[-1] == pytest.approx(1200 + 100 * (12 - 11))
    assert res.trades["side"].tolist() == ["short"]


def test_run_backtest_sparse_positions_hold_previous_target(tiny_ohlcv):
    sparse = pd.Series([1.0], index=tiny_ohlcv.index[[1]])
    dense = pd.Series([0, 1, 1, 1, 1, 1, 1, 1], index=tiny_ohlcv.index, dtype=float)
    a, b = run_backtest(tiny_ohlcv, sparse), run_backtest(tiny_ohlcv, dense)
    pd.testing.assert_series_equal(a.equity, b.equity)


@pytest.mark.parametrize(
    ("positions", "match"),
    [
        (lambda idx: pd.Series(np.nan, index=idx), "NaN target"),
        (lambda idx: pd.Series(1.0, index=idx + pd.Timedelta("1h")), "not price bars"),
        (lambda idx: pd.DataFrame({"OTHER": 1.0}, index=idx).assign(X=1.0), "no prices"),
    ],
)
def test_run_backtest_bad_positions_raise_data_error(tiny_ohlcv, positions, match):
    with pytest.raises(DataError, match=match):
        run_backtest(tiny_ohlcv, positions(tiny_ohlcv.index))


def test_run_backtest_bad_options_raise_config_error(tiny_ohlcv):
    pos = pd.Series(0.0, index=tiny_ohlcv.index)
    with pytest.raises(ConfigError):
        run_backtest(tiny_ohlcv, pos, fill="same_close")
    with pytest.raises(ConfigError):
        run_backtest(tiny_ohlcv, pos, commission_bps=-1)


def test_run_backtest_panel_forms_agree_and_misaligned_panel_raises(synthetic_universe):
    bars = dict(list(synthetic_universe.bars.items())[:3])
    idx = next(iter(bars.values())).index
    pos = pd.DataFrame({s: np.sign(np.sin(np.arange(len(idx)) / (k + 3))) / 3 for k, s in enumerate(bars)},
                       index=idx)
    wide = {"open": pd.DataFrame({s: f["open"] for s, f in bars.items()}),
            "close": pd.DataFrame({s: f["close"] for s, f in bars.items()})}
    a = run_backtest(bars, pos, commission_bps=1)
    b = run_backtest(wide, pos, commission_bps=1)
    pd.testing.assert_series_equal(a.equity, b.equity)
    broken = dict(bars)
    first = next(iter(broken))
    broken[first] = broken[first].iloc[1:]
    with pytest.raises(DataError, match="index differs"):
        run_backtest(broken, pos)


def test_limit_exposure_scales_proportionally_to_gross_and_net():
    w = np.array([[1.0, 1.0, -0.5], [0.2, 0.1, 0.0]])
    out = limit_exposure(w, max_gross=1.0, max_net=0.5)
    assert np.abs(out[0]).sum() <= 1.0 + 1e-12 and abs(out[0].sum()) <= 0.5 + 1e-12
    np.testing.assert_allclose(out[0] / out[0][0], w[0] / w[0][0])  # proportions kept
    np.testing.assert_allclose(out[1], w[1])  # within limits: untouched


def test_vol_target_uses_trailing_pandas_rolling_std_only():
    # Arrange
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (80, 2)), axis=0))
    w = np.ones_like(close)
    # Act
    out = vol_target(w, close, target_vol=0.1, window=10, periods_per_year=252, max_scale=50)
    # Assert: equal to target / (pandas rolling std * sqrt(252)); zero in warm-up
    vol = pd.DataFrame(close).pct_change().rolling(10).std().to_numpy() * np.sqrt(252)
    np.testing.assert_allclose(out[10:], 0.1 / vol[10:], rtol=1e-10)
    assert (out[:10] == 0).all()
    changed = close.copy()
    changed[50:] *= 3
    out2 = vol_target(w, changed, target_vol=0.1, window=10, periods_per_year=252, max_scale=50)
    np.testing.assert_array_equal(out[:50], out2[:50])


def test_run_backtest_target_vol_reduces_realized_volatility(synthetic_ohlcv):
    pos = pd.Series(1.0, index=synthetic_ohlcv.index)
    raw = run_backtest(synthetic_ohlcv, pos)
    tv = run_backtest(synthetic_ohlcv, pos, target_vol=0.05, rebalance="every_bar")
    assert tv.metrics["annual_volatility"] < raw.metrics["annual_volatility"]
    assert tv.metrics["annual_volatility"] == pytest.approx(0.05, rel=0.5)


def test_run_backtest_metrics_and_positions_are_consistent(synthetic_ohlcv):
    pos = pd.Series(np.where(np.arange(len(synthetic_ohlcv)) % 50 < 25, 1.0, -0.5),
                    index=synthetic_ohlcv.index)
    res = run_backtest(synthetic_ohlcv, pos, commission_bps=3)
    assert res.metrics["total_return"] == pytest.approx(res.equity.iloc[-1] / 10_000 - 1)
    assert res.metrics["total_costs"] == pytest.approx(res.trades["costs"].sum())
    held = res.positions.iloc[:, 0]
    assert held.iloc[0] == 0 and held.iloc[10] == pytest.approx(1.0, rel=0.2)
    assert held.iloc[30] == pytest.approx(-0.5, rel=0.2)
    assert set(res.summary()) == {"metrics", "config"}
