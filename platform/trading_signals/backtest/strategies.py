"""Built-in strategies: functions that turn prices, signals or predictions into target exposures.

Every function returns targets decided at the close of each bar (a Series for one symbol, a wide
frame for a panel), ready for :func:`trading_signals.backtest.run_backtest`, which fills them at
the next bar. Any user-made frame of the same shape works too.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from trading_signals.backtest import _kernels
from trading_signals.errors import ConfigError, DataError

SIGNAL_LEVELS: dict[str, float] = {
    "STRONG_SELL": -1.0, "SELL": -0.5, "HOLD": 0.0, "BUY": 0.5, "STRONG_BUY": 1.0,
}


def _close_of(prices: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    if isinstance(prices, pd.DataFrame) and "close" in prices.columns:
        return prices["close"]
    return prices


def sma_cross(close: pd.Series | pd.DataFrame, *, fast: int, slow: int,
              long_only: bool = False) -> pd.Series | pd.DataFrame:
    """Return +1 after the fast SMA crosses above the slow one, -1 (or 0) after it crosses below.

    Parameters
    ----------
    close : Series | DataFrame
        Close prices (a canonical OHLCV frame is accepted too), or a wide frame for a panel.
    fast, slow : int
        SMA windows, ``1 <= fast < slow``.
    long_only : bool
        Go flat instead of short after a downward cross.

    Returns
    -------
    Series | DataFrame
        Targets in ``{-1, 0, 1}``, 0 before the first cross: always in the market afterwards.

    Notes
    -----
    Value at ``t`` uses closes up to ``t``. A cross is strict, as backtesting.py's
    ``crossover``: ``fast[t-1] < slow[t-1]`` and ``fast[t] > slow[t]`` (and mirrored); touching
    without crossing keeps the current side. SMA = ``close.rolling(n).mean()`` (running sum).
    """
    if not (isinstance(fast, int | np.integer) and isinstance(slow, int | np.integer)) or not 1 <= fast < slow:
        raise ConfigError(f"sma_cross needs integers 1 <= fast < slow, got fast={fast}, slow={slow}")
    close = _close_of(close)
    if isinstance(close, pd.DataFrame):
        return close.apply(lambda col: sma_cross(col, fast=fast, slow=slow, long_only=long_only))
    c = np.ascontiguousarray(close.to_numpy(dtype=np.float64))
    pos = _kernels.cross_positions(_kernels.sma(c, int(fast)), _kernels.sma(c, int(slow)), long_only)
    return pd.Series(pos, index=close.index, name=close.name)


def confluence(signals: pd.DataFrame | Mapping[str, pd.DataFrame], *, buy: float | None = None,
               sell: float | None = None, long_only: bool = False,
               levels: Mapping[str, float] | None = None) -> pd.Series | pd.DataFrame:
    """Map the signal engine's output to target exposures.

    Parameters
    ----------
    signals : DataFrame | dict[str, DataFrame]
        Columns ``confluence_score`` (in [0, 1]) and ``signal`` (STRONG_SELL .. STRONG_BUY), one
        frame per symbol, or one long frame with a ``symbol`` column.
    buy, sell : float, optional
        When given, use the score: +1 when ``score >= buy``, -1 when ``score <= sell``, else 0.
        Otherwise map the ``signal`` labels through ``levels``.
    long_only : bool
        Clip negative exposures to 0.
    levels : mapping, optional
        Label -> exposure; defaults to :data:`SIGNAL_LEVELS` (STRONG_BUY = 1, BUY = 0.5, ...).

    Notes
    -----
    Row ``t`` of the signal frame must be computed from data up to ``t`` (the signal engine's
    contract); the exposure at ``t`` is then filled at ``t+1`` by the engine. A missing label or
    NaN score (the engine's "no signal", e.g. warm-up) means flat.
    """
    if isinstance(signals, Mapping):
        return pd.DataFrame({s: confluence(f, buy=buy, sell=sell, long_only=long_only, levels=levels)
                             for s, f in signals.items()})
    if "symbol" in signals.columns:
        return confluence({s: g.drop(columns="symbol") for s, g in signals.groupby("symbol", sort=True)},
                          buy=buy, sell=sell, long_only=long_only, levels=levels)
    if buy is not None or sell is not None:
        score = signals["confluence_score"].astype(float)
        out = pd.Series(0.0, index=signals.index)  # NaN score (no signal): flat
        if buy is not None:
            out[score >= buy] = 1.0
        if sell is not None:
            out[score <= sell] = -1.0
    else:
        table = dict(levels or SIGNAL_LEVELS)
        raw = signals["signal"]
        labels = raw[raw.notna()].astype(str)
        unknown = sorted(set(labels) - set(table))
        if unknown:
            raise DataError(f"confluence: unknown signal label(s) {unknown}; expected {sorted(table)}")
        out = labels.map(table).astype(float).reindex(signals.index).fillna(0.0)
    return (out.clip(lower=0.0) if long_only else out).rename("confluence")


def model(predictions: pd.Series | pd.DataFrame, *, threshold: float = 0.0, long_short: bool = True,
          top_k: int | None = None) -> pd.Series | pd.DataFrame:
    """Turn model predictions (expected returns or scores) into target exposures.

    Parameters
    ----------
    predictions : Series | DataFrame
        One symbol's predictions, or a wide frame (index = timestamps, columns = symbols).
    threshold : float
        Long when ``pred > threshold``; short when ``pred < -threshold`` (if ``long_short``).
    long_short : bool
        Allow short exposures.
    top_k : int, optional
        Panel only: each date, long the ``top_k`` highest predictions (and short the ``top_k``
        lowest when ``long_short``) with equal weights; gross exposure is 1.

    Returns
    -------
    Series | DataFrame
        Without ``top_k`` a panel gets ``sign / n_active`` per date (gross exposure <= 1).

    Notes
    -----
    Predictions at ``t`` must use features known at ``t``; NaN predictions (model warm-up) mean
    no position at that bar. Ranking is cross-sectional per date only (no look-ahead).
    """
    if isinstance(predictions, pd.Series):
        if top_k is not None:
            raise ConfigError("model: top_k needs a panel (wide frame) of predictions")
        return _threshold(predictions, threshold, long_short).rename("model")
    if top_k is None:
        sig = predictions.apply(lambda col: _threshold(col, threshold, long_short))
        n_active = (sig != 0).sum(axis=1).replace(0, 1)
        return sig.div(n_active, axis=0)
    if not 1 <= top_k <= predictions.shape[1] // (2 if long_short else 1):
        raise ConfigError(f"model: top_k={top_k} does not fit {predictions.shape[1]} symbols")
    return _top_k(predictions, top_k, long_short)


def _threshold(pred: pd.Series, threshold: float, long_short: bool) -> pd.Series:
    p = pred.astype(float)
    out = pd.Series(np.where(p > threshold, 1.0, 0.0), index=p.index)
    if long_short:
        out[p < -threshold] = -1.0
    return out


def _top_k(pred: pd.DataFrame, k: int, long_short: bool) -> pd.DataFrame:
    leg = 0.5 if long_short else 1.0
    ranks_hi = pred.rank(axis=1, ascending=False, method="first")
    valid = pred.notna()
    out = ((ranks_hi <= k) & valid).astype(float) * (leg / k)
    if long_short:
        ranks_lo = pred.rank(axis=1, ascending=True, method="first")
        out -= ((ranks_lo <= k) & valid).astype(float) * (leg / k)
    # Dates with too few valid predictions stay flat rather than half-built.
    enough = valid.sum(axis=1) >= (2 * k if long_short else k)
    return out.where(enough, 0.0)
