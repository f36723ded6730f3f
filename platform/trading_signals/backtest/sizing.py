"""Turn raw target exposures into sized targets: volatility targeting, then exposure limits."""

from __future__ import annotations

import numpy as np

from trading_signals._typing import FloatArray
from trading_signals.errors import ConfigError


def vol_target(weights: FloatArray, close: FloatArray, *, target_vol: float, window: int,
               periods_per_year: float, max_scale: float) -> FloatArray:
    """Scale each symbol's target by ``target_vol / trailing annualized volatility``.

    Parameters
    ----------
    weights, close : ndarray (bars x symbols)
        Raw targets decided at each close, and close prices.
    target_vol : float
        Annualized volatility each position aims at (e.g. 0.10).
    window : int
        Trailing number of close-to-close returns in the estimate (sample std, ``ddof=1``).
    periods_per_year : float
        Annualization factor.
    max_scale : float
        Cap on the scale factor (leverage from quiet markets stays bounded).

    Returns
    -------
    ndarray
        Scaled targets; 0 during the warm-up (fewer than ``window`` returns) or at zero volatility.

    Notes
    -----
    The scale at bar ``t`` uses returns up to the close of ``t`` only, i.e. the same information
    as the decision it scales; it is equivalent to ``close.pct_change().rolling(window).std()``.
    """
    if target_vol <= 0 or window < 2 or max_scale <= 0:
        raise ConfigError("vol targeting: target_vol and max_scale must be > 0 and window >= 2")
    rets = np.full_like(close, np.nan)
    rets[1:] = close[1:] / close[:-1] - 1.0
    vol = np.full_like(close, np.nan)
    for t in range(window, close.shape[0]):
        vol[t] = np.std(rets[t - window + 1 : t + 1], axis=0, ddof=1)
    vol *= np.sqrt(periods_per_year)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(vol > 0, np.minimum(target_vol / vol, max_scale), 0.0)
    return weights * np.nan_to_num(scale, nan=0.0)


def limit_exposure(weights: FloatArray, *, max_gross: float | None, max_net: float | None) -> FloatArray:
    """Scale each bar's targets down proportionally so ``sum|w| <= max_gross`` and ``|sum w| <= max_net``.

    >>> limit_exposure(np.array([[0.8, 0.8]]), max_gross=1.0, max_net=None).tolist()
    [[0.5, 0.5]]

    Notes
    -----
    Per bar, no cross-time information: look-ahead free.
    """
    w = weights.copy()
    scale = np.ones(w.shape[0])
    if max_gross is not None:
        gross = np.abs(w).sum(axis=1)
        scale = np.minimum(scale, np.where(gross > max_gross, max_gross / np.where(gross > 0, gross, 1), 1))
    if max_net is not None:
        net = np.abs(w.sum(axis=1))
        scale = np.minimum(scale, np.where(net > max_net, max_net / np.where(net > 0, net, 1), 1))
    return w * scale[:, None]
