"""Performance and risk metrics of a return series (pure NumPy, empyrical conventions).

Conventions (compared with empyrical-reloaded in ``tests/reference/test_metrics_vs_empyrical.py``):

- ``returns`` are simple, non-cumulative per-bar returns; NaN values are ignored like
  empyrical's ``nanmean``/``nanstd`` do.
- Volatility uses the sample standard deviation (``ddof=1``), annualized by
  ``sqrt(periods_per_year)``; Sharpe and Sortino use a zero risk-free rate / required return.
- **Losses are positive numbers here**: ``max_drawdown`` is in ``[0, 1]`` (empyrical returns
  ``-max_drawdown``), and VaR/CVaR are reported as positive loss fractions (empyrical returns the
  negative return quantile). ``calmar_ratio`` equals empyrical's (it divides by ``|MDD|``).
- Drawdowns are anchored at the starting value 1 before the first return, as empyrical does,
  so a first-bar loss counts as a drawdown.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from trading_signals._typing import FloatArray

__all__ = [
    "annual_return",
    "annual_volatility",
    "calmar_ratio",
    "cvar_historical",
    "cvar_parametric",
    "drawdown_series",
    "exposure",
    "max_drawdown",
    "max_drawdown_duration",
    "profit_factor",
    "sharpe_ratio",
    "sortino_ratio",
    "summarize",
    "total_return",
    "turnover",
    "var_historical",
    "var_parametric",
    "win_rate",
]


def _arr(returns: pd.Series | FloatArray | list[float]) -> FloatArray:
    a = np.asarray(returns, dtype=np.float64)
    return a[~np.isnan(a)]


def total_return(returns: pd.Series | FloatArray) -> float:
    """Return the compounded return ``prod(1 + r) - 1`` (empyrical ``cum_returns_final``).

    >>> round(total_return([0.1, -0.1]), 6)
    -0.01
    """
    r = _arr(returns)
    return float(np.prod(1.0 + r) - 1.0) if r.size else math.nan


def annual_return(returns: pd.Series | FloatArray, *, periods_per_year: float = 252) -> float:
    """Return the CAGR ``(prod(1 + r)) ** (periods_per_year / n) - 1`` (empyrical ``annual_return``)."""
    r = _arr(returns)
    if r.size == 0:
        return math.nan
    growth = float(np.prod(1.0 + r))
    if growth <= 0:
        return -1.0
    return float(growth ** (periods_per_year / r.size) - 1.0)


def annual_volatility(returns: pd.Series | FloatArray, *, periods_per_year: float = 252) -> float:
    """Return ``std(r, ddof=1) * sqrt(periods_per_year)`` (empyrical ``annual_volatility``)."""
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    return float(np.std(r, ddof=1) * math.sqrt(periods_per_year))


def sharpe_ratio(returns: pd.Series | FloatArray, *, periods_per_year: float = 252) -> float:
    """Return ``mean(r) / std(r, ddof=1) * sqrt(periods_per_year)``; NaN for a flat series."""
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    sd = float(np.std(r, ddof=1))
    if sd == 0 or not math.isfinite(sd):
        return math.nan
    return float(np.mean(r) / sd * math.sqrt(periods_per_year))


def sortino_ratio(returns: pd.Series | FloatArray, *, periods_per_year: float = 252) -> float:
    """Return ``mean(r) * ppy / (sqrt(mean(min(r, 0) ** 2)) * sqrt(ppy))`` (empyrical ``sortino_ratio``).

    ``inf`` when there is no downside and the mean is positive; NaN for an empty series.
    """
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    downside = math.sqrt(float(np.mean(np.minimum(r, 0.0) ** 2))) * math.sqrt(periods_per_year)
    mean_ann = float(np.mean(r)) * periods_per_year
    if downside == 0:
        return math.inf if mean_ann > 0 else math.nan
    return mean_ann / downside


def drawdown_series(returns: pd.Series | FloatArray) -> FloatArray:
    """Return the drawdown ``1 - wealth / running_peak`` per bar (>= 0), peak anchored at 1."""
    r = np.nan_to_num(np.asarray(returns, dtype=np.float64), nan=0.0)
    wealth = np.cumprod(1.0 + r)
    peak = np.maximum.accumulate(np.concatenate(([1.0], wealth)))[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        dd = np.where(peak > 0, 1.0 - wealth / peak, 1.0)
    return np.clip(dd, 0.0, 1.0)


def max_drawdown(returns: pd.Series | FloatArray) -> float:
    """Return the maximum drawdown as a positive fraction in ``[0, 1]`` (= ``-empyrical.max_drawdown``)."""
    r = np.asarray(returns, dtype=np.float64)
    return float(drawdown_series(r).max()) if r.size else math.nan


def max_drawdown_duration(returns: pd.Series | FloatArray) -> int:
    """Return the longest run of consecutive bars spent below a previous equity peak."""
    dd = drawdown_series(returns)
    longest = current = 0
    for under in dd > 0:
        current = current + 1 if under else 0
        longest = max(longest, current)
    return int(longest)


def calmar_ratio(returns: pd.Series | FloatArray, *, periods_per_year: float = 252) -> float:
    """Return ``annual_return / max_drawdown`` (empyrical ``calmar_ratio``); NaN without drawdown."""
    mdd = max_drawdown(returns)
    if not mdd or not math.isfinite(mdd):
        return math.nan
    return annual_return(returns, periods_per_year=periods_per_year) / mdd


def var_historical(returns: pd.Series | FloatArray, *, cutoff: float = 0.05) -> float:
    """Return the historical VaR as a positive loss: ``-percentile(r, 100 * cutoff)``."""
    r = _arr(returns)
    return float(-np.percentile(r, 100 * cutoff)) if r.size else math.nan


def cvar_historical(returns: pd.Series | FloatArray, *, cutoff: float = 0.05) -> float:
    """Return the historical CVaR (expected shortfall) as a positive loss.

    Uses empyrical's definition: the mean of the ``int((n - 1) * cutoff) + 1`` lowest returns.
    """
    r = _arr(returns)
    if r.size == 0:
        return math.nan
    k = int((r.size - 1) * cutoff)
    return float(-np.mean(np.partition(r, k)[: k + 1]))


def var_parametric(returns: pd.Series | FloatArray, *, cutoff: float = 0.05) -> float:
    """Return the Gaussian VaR ``-(mean + std * z_cutoff)`` as a positive loss (``ddof=1``)."""
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    z = stats.norm.ppf(cutoff)
    return float(-(np.mean(r) + np.std(r, ddof=1) * z))


def cvar_parametric(returns: pd.Series | FloatArray, *, cutoff: float = 0.05) -> float:
    """Return the Gaussian CVaR ``-(mean - std * pdf(z) / cutoff)`` as a positive loss."""
    r = _arr(returns)
    if r.size < 2:
        return math.nan
    z = stats.norm.ppf(cutoff)
    return float(-(np.mean(r) - np.std(r, ddof=1) * stats.norm.pdf(z) / cutoff))


def win_rate(trades: pd.DataFrame) -> float:
    """Return the fraction of trades with ``pnl > 0`` (NaN without trades)."""
    pnl = np.asarray(trades["pnl"], dtype=np.float64) if len(trades) else np.empty(0)
    return float(np.mean(pnl > 0)) if pnl.size else math.nan


def profit_factor(trades: pd.DataFrame) -> float:
    """Return gross profit / gross loss of the trades (``inf`` without losses, NaN without trades)."""
    if not len(trades):
        return math.nan
    pnl = np.asarray(trades["pnl"], dtype=np.float64)
    gain, loss = float(pnl[pnl > 0].sum()), float(-pnl[pnl < 0].sum())
    if loss == 0:
        return math.inf if gain > 0 else math.nan
    return gain / loss


def exposure(positions: pd.DataFrame | pd.Series) -> float:
    """Return the fraction of bars holding any non-zero position."""
    w = np.asarray(positions, dtype=np.float64)
    w = w.reshape(len(w), -1)
    return float(np.mean(np.any(np.nan_to_num(w) != 0, axis=1))) if len(w) else math.nan


def turnover(positions: pd.DataFrame | pd.Series, *, periods_per_year: float = 252) -> float:
    """Return the annualized two-sided turnover ``mean_t(sum_i |w[t] - w[t-1]|) * periods_per_year``.

    Notes
    -----
    ``w[-1]`` is taken as 0, so the initial entry counts as turnover.
    """
    w = np.nan_to_num(np.asarray(positions, dtype=np.float64))
    w = w.reshape(len(w), -1)
    if not len(w):
        return math.nan
    dw = np.abs(np.diff(w, axis=0, prepend=0.0)).sum(axis=1)
    return float(dw.mean() * periods_per_year)


def summarize(
    returns: pd.Series | FloatArray,
    *,
    trades: pd.DataFrame | None = None,
    positions: pd.DataFrame | pd.Series | None = None,
    periods_per_year: float = 252,
    cutoff: float = 0.05,
) -> dict[str, Any]:
    """Return every metric of this module as a flat ``dict`` (trade/position metrics if given).

    Notes
    -----
    Metrics describe the whole series: call it on a window to get that window's metrics.
    """
    ppy = {"periods_per_year": periods_per_year}
    out: dict[str, Any] = {
        "total_return": total_return(returns),
        "annual_return": annual_return(returns, **ppy),
        "annual_volatility": annual_volatility(returns, **ppy),
        "sharpe": sharpe_ratio(returns, **ppy),
        "sortino": sortino_ratio(returns, **ppy),
        "calmar": calmar_ratio(returns, **ppy),
        "max_drawdown": max_drawdown(returns),
        "max_drawdown_duration": max_drawdown_duration(returns),
        "var_historical": var_historical(returns, cutoff=cutoff),
        "cvar_historical": cvar_historical(returns, cutoff=cutoff),
        "var_parametric": var_parametric(returns, cutoff=cutoff),
        "cvar_parametric": cvar_parametric(returns, cutoff=cutoff),
        "n_bars": int(np.asarray(returns).size),
    }
    if trades is not None:
        out |= {"n_trades": len(trades), "win_rate": win_rate(trades),
                "profit_factor": profit_factor(trades)}
    if positions is not None:
        out |= {"exposure": exposure(positions), "turnover": turnover(positions, **ppy)}
    return out
