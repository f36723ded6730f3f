"""Numba kernels: volatility and channels (ATR, NATR, Keltner, Donchian).

Every kernel works on one NaN-free segment and writes into preallocated, NaN-filled outputs.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_ma import EPS, ema_into
from trading_signals.features._kernels_osc import rolling_max_min_into


@njit(cache=True, error_model="numpy")
def true_range(hi, low, y):  # type: ignore[no-untyped-def]
    # Scalars only: array arguments to a per-bar helper cost NRT refcounting.
    tr = hi - low
    v = abs(y - hi)
    tr = max(tr, v)
    v = abs(y - low)
    tr = max(tr, v)
    return tr


@njit(cache=True, error_model="numpy")
def atr_into(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    # Wilder's ATR seeded by the SMA of the first n true ranges (bars 1..n), as in TA-Lib.
    m = c.shape[0]
    if m <= n:
        return
    total = 0.0
    for t in range(1, n + 1):
        total += true_range(h[t], lo[t], c[t - 1])
    prev = total / n
    out[n] = prev
    inv = 1.0 / n  # Wilder smoothing by a reciprocal: the division chain was the bottleneck
    for t in range(n + 1, m):
        prev *= n - 1
        prev += true_range(h[t], lo[t], c[t - 1])
        prev *= inv
        out[t] = prev


@njit(cache=True, error_model="numpy")
def natr_into(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    m = c.shape[0]
    if m <= n:
        return
    atr_into(h, lo, c, n, out)
    for t in range(n, m):
        v = c[t]
        out[t] = (out[t] / v) * 100.0 if abs(v) >= EPS else 0.0


@njit(cache=True, error_model="numpy")
def keltner_into(h, lo, c, n, atr_n, mult, out_up, out_lo):  # type: ignore[no-untyped-def]
    # Middle = EMA_n(close) (SMA-seeded, TA-Lib style); bands = middle +/- mult * ATR_atr_n.
    m = c.shape[0]
    start = max(n - 1, atr_n)
    if m <= start:
        return
    mid = np.full(m, np.nan)
    atr = np.full(m, np.nan)
    ema_into(c, n, 0, mid)
    atr_into(h, lo, c, atr_n, atr)
    for t in range(start, m):
        d = mult * atr[t]
        out_up[t] = mid[t] + d
        out_lo[t] = mid[t] - d


@njit(cache=True, error_model="numpy")
def donchian_into(h, lo, n, out_up, out_lo):  # type: ignore[no-untyped-def]
    if h.shape[0] < n:
        return
    rolling_max_min_into(h, lo, n, out_up, out_lo)
