"""Performance and risk metrics: re-exported from :mod:`trading_signals.stats.metrics`.

The functions live in ``stats`` (below backtest, which reports them); this module keeps the
risk layer's public names.
"""

from __future__ import annotations

from trading_signals.stats.metrics import (
    annual_return,
    annual_volatility,
    calmar_ratio,
    cvar_historical,
    cvar_parametric,
    drawdown_series,
    exposure,
    max_drawdown,
    max_drawdown_duration,
    profit_factor,
    sharpe_ratio,
    sortino_ratio,
    summarize,
    total_return,
    turnover,
    var_historical,
    var_parametric,
    win_rate,
)

__all__ = [
    "annual_return", "annual_volatility", "calmar_ratio", "cvar_historical", "cvar_parametric",
    "drawdown_series", "exposure", "max_drawdown", "max_drawdown_duration", "profit_factor",
    "sharpe_ratio", "sortino_ratio", "summarize", "total_return", "turnover", "var_historical",
    "var_parametric", "win_rate",
]
