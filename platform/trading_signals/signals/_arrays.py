"""NumPy/numba cores of the technical components (the public wrappers live in ``components``).

Every function takes the indicator columns as a mapping ``name -> float64 array`` and returns
a float64 array, reproducing bit for bit the pandas expressions documented in
:mod:`trading_signals.signals.components` (same operations in the same order; pandas-style
NaN handling in ``where``/``clip``; pandas' own rolling sum/mean where its compensated
summation decides the last bits).

Notes
-----
No look-ahead: every window here looks backwards (``diff``, trailing rolling sums/means and
the trailing rank kernel), so a value at bar t uses inputs at bars ``<= t`` only.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numba import njit

Cols = Mapping[str, np.ndarray]

_ADX_FULL_STRENGTH = 50.0  # ADX at/above this gives the DI direction full weight
_OBV_WINDOW = 10
_VOLUME_AVG_WINDOW = 20
_ROC_PERIOD = 10


def clip(x: np.ndarray, lower: float | None, upper: float | None) -> np.ndarray:
    """Clip like ``Series.clip`` (NaN kept, ``-0.0`` kept)."""
    if lower is not None:
        x = np.where(x < lower, lower, x)
    if upper is not None:
        x = np.where(x > upper, upper, x)
    return x


def squash(x: np.ndarray) -> np.ndarray:
    """Return ``0.5 + 0.5 tanh(x)``."""
    return 0.5 + 0.5 * np.tanh(x)


def safe_scale(scale: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Replace non-positive (or NaN) scales by a tiny price-relative floor (0/eps = 0)."""
    return np.where(scale > 0, scale, 1e-12 * np.abs(price) + 1e-300)


def trend(c: Cols) -> np.ndarray:
    """Trend score before bounding (see ``components.trend_score``)."""
    with np.errstate(all="ignore"):
        atr = safe_scale(c["atr_14"], c["close"])
        pairs = [("close", "sma_20"), ("close", "sma_50"), ("ema_12", "ema_26"),
                 ("sma_20", "sma_50")]
        ma = sum(squash((c[a] - c[b]) / atr) for a, b in pairs) / len(pairs)
        plus, minus = c["plus_di_14"], c["minus_di_14"]
        total = plus + minus
        direction = (plus - minus) / np.where(total > 0, total, 1.0)
        direction = np.where(np.isnan(total), np.nan, direction)
        strength = clip(c["adx_14"] / _ADX_FULL_STRENGTH, 0.0, 1.0)
        di = 0.5 + 0.5 * direction * strength
        return (ma + di) / 2.0


def momentum(c: Cols) -> np.ndarray:
    """Momentum score before bounding (see ``components.momentum_score``)."""
    with np.errstate(all="ignore"):
        atr = safe_scale(c["atr_14"], c["close"])
        natr = np.where(c["natr_14"] > 0, c["natr_14"], 1e-12)
        parts = [
            c["rsi_14"] / 100.0,
            squash(c["macd_hist"] / atr),
            squash(c["roc_10"] / (natr * np.sqrt(_ROC_PERIOD))),
            c["stoch_k"] / 100.0,
        ]
        return sum(parts) / len(parts)


def bb_width(c: Cols) -> np.ndarray:
    """Return the Bollinger width relative to |middle| (NaN where the middle band is 0)."""
    mid = c["bb_middle_20"]
    with np.errstate(all="ignore"):
        return (c["bb_upper_20"] - c["bb_lower_20"]) / np.where(mid != 0, np.abs(mid), np.nan)


def volatility(c: Cols, *, window: int, min_periods: int) -> np.ndarray:
    """Volatility-regime score before bounding (see ``components.volatility_score``)."""
    p_natr = trailing_percentile_array(c["natr_14"], window, min_periods)
    p_width = trailing_percentile_array(bb_width(c), window, min_periods)
    return 1.0 - (p_natr + p_width) / 2.0


def volume(c: Cols) -> np.ndarray:
    """Volume score before bounding (see ``components.volume_score``)."""
    vol_s = pd.Series(c["volume"], copy=False)
    # pandas' compensated rolling sum/mean decide the last bits: keep them.
    vol_sum = vol_s.rolling(_OBV_WINDOW, min_periods=_OBV_WINDOW).sum().to_numpy()
    avg = vol_s.rolling(_VOLUME_AVG_WINDOW, min_periods=_VOLUME_AVG_WINDOW).mean().to_numpy()
    vol = c["volume"]
    with np.errstate(all="ignore"):
        obv_change = diff(c["obv"], _OBV_WINDOW)
        obv = 0.5 + 0.5 * clip(obv_change / np.where(vol_sum > 0, vol_sum, 1.0), -1.0, 1.0)
        ratio = vol / np.where(avg > 0, avg, np.nan)
        ratio = np.where(np.isnan(ratio), 1.0, ratio)
        ratio = np.where(np.isnan(avg), np.nan, ratio)
        heavy = np.tanh(clip(ratio - 1.0, 0.0, None))
        rel = 0.5 + 0.5 * np.sign(diff(c["close"], 1)) * heavy
        return (obv + c["mfi_14"] / 100.0 + rel) / 3.0


def diff(x: np.ndarray, k: int) -> np.ndarray:
    """Return ``x[t] - x[t-k]`` (NaN for the first k bars), like ``Series.diff(k)``."""
    out = np.full(x.shape[0], np.nan)
    if x.shape[0] > k:
        out[k:] = x[k:] - x[:-k]
    return out


def trailing_percentile_array(values: np.ndarray, window: int, min_periods: int) -> np.ndarray:
    """Return ``rolling(window, min_periods).rank()`` turned into ``(rank-1)/(n-1)``.

    Bit-identical to the pandas formulation in ``components.trailing_percentile``: the rank
    is the average rank among the *finite* values of the window (pandas turns inf into NaN
    for rolling kernels) and needs ``min_periods`` of them; ``n`` counts the non-NaN values
    (inf included, like ``rolling.count``) and needs a window of ``min_periods`` bars.
    """
    if min_periods > window:  # the same error pandas' rolling raises
        raise ValueError(f"min_periods {min_periods} must be <= window {window}")
    x = np.ascontiguousarray(values, dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(x))
    order = finite[np.argsort(x[finite])]  # NumPy's sort is faster than numba's here
    return _trailing_percentile_kernel(x, order, int(window), int(min_periods))


@njit(cache=True)
def _trailing_percentile_kernel(x, order, window, min_periods):  # type: ignore[no-untyped-def]
    # Fenwick tree over dense value ids (equal values share an id; ``order`` sorts the
    # finite values, any sort): count of window values below / equal to x[t] in O(log n)
    # per bar instead of re-sorting each window.
    n = x.shape[0]
    out = np.full(n, np.nan)
    finite = np.isfinite(x)
    ids = np.zeros(n, dtype=np.int64)
    m = 0
    for k in range(order.shape[0]):
        if k == 0 or x[order[k]] != x[order[k - 1]]:
            m += 1
        ids[order[k]] = m
    tree = np.zeros(m + 1, dtype=np.int64)
    same = np.zeros(m + 1, dtype=np.int64)
    size = 0  # finite values in the window
    notnan = 0  # non-NaN values in the window (inf included)
    for i in range(n):
        j = i - window
        if j >= 0 and x[j] == x[j]:
            notnan -= 1
            if finite[j]:
                size -= 1
                same[ids[j]] -= 1
                k = ids[j]
                while k <= m:
                    tree[k] -= 1
                    k += k & -k
        if x[i] == x[i]:
            notnan += 1
            if finite[i]:
                size += 1
                same[ids[i]] += 1
                k = ids[i]
                while k <= m:
                    tree[k] += 1
                    k += k & -k
        if not finite[i] or size < min_periods or min(i + 1, window) < min_periods or notnan <= 1:
            continue
        less = 0
        k = ids[i] - 1
        while k > 0:
            less += tree[k]
            k -= k & -k
        rank = less + (same[ids[i]] + 1) / 2.0
        out[i] = (rank - 1.0) / (notnan - 1.0)
    return out
