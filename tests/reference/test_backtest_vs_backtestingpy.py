"""Parity with backtesting.py's FractionalBacktest on SMA-cross strategies (test-time reference only).

backtesting.py marks equity at each close, fills market orders at the next open, sizes a
``buy()`` with all available cash (``size = 1 - eps``) in units of ``fractional_unit`` and, with
``finalize_trades=False``, leaves a trade still open at the end out of ``_trades``. Our engine
with ``close_at_end="last_close"`` reports that trade with ``is_open=True``; with
``close_at_end="last_open"`` it closes it at the last bar's open like ``finalize_trades=True``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

backtesting = pytest.importorskip("backtesting")
from backtesting import Strategy
from backtesting.lib import FractionalBacktest, crossover
from backtesting.test import GOOG
from trading_signals.backtest import run_backtest, strategies
from trading_signals.data.schema import make_ohlcv
from trading_signals.data.synthetic import generate_universe

RTOL = 1e-6


def _sma(values: np.ndarray, n: int) -> pd.Series:
    return pd.Series(values).rolling(n).mean()


class SmaCross(Strategy):
    fast = 10
    slow = 30

    def init(self) -> None:
        self.sma1 = self.I(_sma, self.data.Close, self.fast)
        self.sma2 = self.I(_sma, self.data.Close, self.slow)

    def next(self) -> None:
        if crossover(self.sma1, self.sma2):
            self.position.close()
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.position.close()
            self.sell()


def _ours(frame: pd.DataFrame) -> pd.DataFrame:
    return make_ohlcv(frame.index, frame.Open, frame.High, frame.Low, frame.Close, frame.Volume,
                      symbol="X", timeframe="1d")


def _bt_frame(bars: pd.DataFrame) -> pd.DataFrame:
    out = bars.rename(columns=str.capitalize)[["Open", "High", "Low", "Close", "Volume"]]
    return out.set_axis(out.index.tz_localize(None))


def _run_reference(data: pd.DataFrame, fast: int, slow: int, *, finalize: bool) -> pd.Series:
    bt = FractionalBacktest(data, SmaCross, cash=10_000, commission=0.0, finalize_trades=finalize,
                            fractional_unit=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bt.run(fast=fast, slow=slow)


def _synthetic() -> pd.DataFrame:
    return _bt_frame(generate_universe(1, 800, seed=3).bars["SYN0000"])


@pytest.mark.parametrize("data_name", ["goog", "synthetic"])
@pytest.mark.parametrize(("fast", "slow"), [(10, 30), (5, 20), (20, 60)])
def test_backtest_sma_cross_vs_fractional_backtest_equity_and_trades_match(data_name, fast, slow):
    # Arrange
    data = GOOG if data_name == "goog" else _synthetic()
    bars = _ours(data)
    ref = _run_reference(data, fast, slow, finalize=False)
    # Act
    res = run_backtest(bars, strategies.sma_cross(bars, fast=fast, slow=slow), initial_cash=10_000)
    # Assert: equity marked at every close
    np.testing.assert_allclose(res.equity.to_numpy(), ref["_equity_curve"]["Equity"].to_numpy(), rtol=RTOL)
    ref_tr = ref["_trades"]
    closed = res.trades[~res.trades["is_open"]]
    assert len(closed) == len(ref_tr) > 3
    np.testing.assert_array_equal(closed["entry_time"].dt.tz_localize(None).to_numpy(), ref_tr["EntryTime"].to_numpy())
    np.testing.assert_array_equal(closed["exit_time"].dt.tz_localize(None).to_numpy(), ref_tr["ExitTime"].to_numpy())
    np.testing.assert_allclose(closed["entry_price"], ref_tr["EntryPrice"], rtol=RTOL)
    np.testing.assert_allclose(closed["exit_price"], ref_tr["ExitPrice"], rtol=RTOL)
    np.testing.assert_allclose(closed["size"], ref_tr["Size"], rtol=RTOL)
    np.testing.assert_allclose(closed["pnl"], ref_tr["PnL"], rtol=RTOL, atol=1e-6 * 10_000)
    assert res.trades["is_open"].sum() == 1


def test_backtest_last_open_vs_finalize_trades_final_equity_matches():
    # Arrange: 10/30 on GOOG has no cross on the last bar, so finalize closes at the last open.
    bars = _ours(GOOG)
    ref = _run_reference(GOOG, 10, 30, finalize=True)
    # Act
    res = run_backtest(bars, strategies.sma_cross(bars, fast=10, slow=30), close_at_end="last_open")
    # Assert
    np.testing.assert_allclose(res.equity.to_numpy(), ref["_equity_curve"]["Equity"].to_numpy(), rtol=RTOL)
    assert len(res.trades) == len(ref["_trades"]) and not res.trades["is_open"].any()
    np.testing.assert_allclose(res.trades["pnl"], ref["_trades"]["PnL"], rtol=RTOL, atol=1e-2)


def test_backtest_equity_reaching_zero_matches_backtestingpy_ruin():
    # Arrange: a steady decline (the cross goes short), then a 5x gap up wipes the short out.
    close = np.concatenate([np.linspace(100, 80, 20), np.linspace(80, 120, 15),
                            np.linspace(120, 60, 30), np.linspace(400, 410, 15)])
    open_ = np.concatenate([[close[0]], close[:-1]])
    open_[65] = 400.0
    idx = pd.bdate_range("2020-01-01", periods=close.size)
    data = pd.DataFrame({"Open": open_, "High": np.maximum(open_, close) * 1.01,
                         "Low": np.minimum(open_, close) * 0.99, "Close": close, "Volume": 1.0}, index=idx)
    ref = _run_reference(data, 3, 8, finalize=False)
    bars = _ours(data)
    # Act
    res = run_backtest(bars, strategies.sma_cross(bars, fast=3, slow=8))
    # Assert
    ref_eq = ref["_equity_curve"]["Equity"].to_numpy()
    assert (ref_eq == 0).any(), "scenario must ruin the reference"
    np.testing.assert_allclose(res.equity.to_numpy(), ref_eq, rtol=RTOL, atol=1e-9)
    assert (res.equity.iloc[-5:] == 0).all() and (res.shares.iloc[-5:] == 0).all().all()
