"""Backtest engine: target exposures -> fills at the next bar -> equity, trades and metrics."""

from __future__ import annotations

from trading_signals.backtest import strategies
from trading_signals.backtest.engine import run_backtest
from trading_signals.backtest.result import BacktestResult
from trading_signals.backtest.sweep import run_sweep, sma_sweep
from trading_signals.backtest.walkforward import SmaCrossSearch, run_walk_forward
from trading_signals.backtest.windows import make_windows

__all__ = [
    "BacktestResult",
    "SmaCrossSearch",
    "make_windows",
    "run_backtest",
    "run_sweep",
    "run_walk_forward",
    "sma_sweep",
    "strategies",
]
