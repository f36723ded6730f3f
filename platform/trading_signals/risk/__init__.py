"""Risk layer: performance metrics, Monte Carlo paths and overfitting statistics."""

from __future__ import annotations

from trading_signals.risk import metrics
from trading_signals.risk.metrics import max_drawdown, sharpe_ratio, summarize
from trading_signals.risk.montecarlo import MonteCarloResult, run_montecarlo
from trading_signals.risk.overfitting import (
    deflated_sharpe_ratio,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
)

__all__ = [
    "MonteCarloResult",
    "deflated_sharpe_ratio",
    "max_drawdown",
    "metrics",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "run_montecarlo",
    "sharpe_ratio",
    "summarize",
]
