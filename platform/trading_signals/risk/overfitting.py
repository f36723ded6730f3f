"""Overfitting statistics: re-exported from :mod:`trading_signals.stats.overfitting`."""

from __future__ import annotations

from trading_signals.stats.overfitting import (
    EULER_GAMMA,
    PBOResult,
    block_stats,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo_from_block_stats,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
    sharpe_per_period,
)

__all__ = [
    "EULER_GAMMA", "PBOResult", "block_stats", "deflated_sharpe_ratio", "expected_max_sharpe",
    "pbo_from_block_stats", "probabilistic_sharpe_ratio", "probability_of_backtest_overfitting",
    "sharpe_per_period",
]
