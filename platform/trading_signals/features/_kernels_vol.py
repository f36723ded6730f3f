"""Numba kernels: volatility and channels (ATR, NATR, Keltner, Donchian).

Every kernel works on one NaN-free segment and writes into preallocated, NaN-filled outputs.
"""

from __future__ import annotations

from numba import njit

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
def atr_step(t, n, inv, tr, prev):  # type: ignore[no-untyped-def]
    # Bar t >= 1: sum of true ranges until the SMA seed at t = n, Wilder smoothing by a
    # reciprocal after (the division chain was the bottleneck). Valid from t = n.
    if t <= n:
        prev += tr
        if t == n:
            prev = prev / n
        return prev
    prev *= n - 1
    prev += tr
    prev *= inv
    return prev


@njit(cache=True, error_model="numpy")
def keltner_into(h, lo, c, n, atr_n, mult, out_up, out_lo):  # type: ignore[no-untyped-def]
    # Middle = EMA_n(close) (SMA-seeded, TA-Lib style); bands = middle +/- mult * ATR_atr_n.
    # ema_head's and the ATR recursion (atr_step), advanced in one loop so the two chains overlap.
    m = c.shape[0]
    start = max(n - 1, atr_n)
    if m <= start:
        return
    k = 2.0 / (n + 1)
    total = 0.0
    for i in range(n):
        total += c[i]
    mid = total / n
    for i in range(n, start + 1):
        mid = ((c[i] - mid) * k) + mid
    atr = 0.0
    inv = 1.0 / atr_n
    for t in range(1, start + 1):
        atr = atr_step(t, atr_n, inv, true_range(h[t], lo[t], c[t - 1]), atr)
    d = mult * atr
    out_up[start] = mid + d
    out_lo[start] = mid - d
    for t in range(start + 1, m):
        mid = ((c[t] - mid) * k) + mid
        atr = atr_step(t, atr_n, inv, true_range(h[t], lo[t], c[t - 1]), atr)
        d = mult * atr
        out_up[t] = mid + d
        out_lo[t] = mid - d


@njit(cache=True, error_model="numpy")
def donchian_into(h, lo, n, out_up, out_lo):  # type: ignore[no-untyped-def]
    if h.shape[0] < n:
        return
    rolling_max_min_into(h, lo, n, out_up, out_lo)
