"""Statistics of return series shared by backtest and risk (below both in the layer order).

:mod:`~trading_signals.stats.metrics` (Sharpe, drawdowns, VaR...) and
:mod:`~trading_signals.stats.overfitting` (PSR, deflated Sharpe, CSCV PBO) import nothing but
NumPy/SciPy and ``_typing``/``errors``; :mod:`trading_signals.risk.metrics` and
:mod:`trading_signals.risk.overfitting` re-export them unchanged.
"""
