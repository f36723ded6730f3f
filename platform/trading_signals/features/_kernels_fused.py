"""Numba kernels that run several indicators of one plan in a single loop.

Most per-symbol recursions (running sums, EMA chains) are bound by the latency of one
dependency chain, not by arithmetic: a loop that advances several independent chains lets the
CPU overlap them. Each chain keeps exactly the operations, in exactly the order, of its
single-indicator kernel, so the outputs are bit-identical to running those one by one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_ma import (
    EPS,
    ema_head,
    macd_into,
    macd_run,
    moments_into,
    sma_head,
    trix_into,
    trix_run,
)


@njit(cache=True, error_model="numpy")
def sma4_into(x, n0, n1, n2, n3, o0, o1, o2, o3):  # type: ignore[no-untyped-def]
    # The SMA kernel: four SMAs (repeat one to run fewer; TA-Lib's running total, see
    # sma_head). Each warms up alone, then all advance together.
    m = x.shape[0]
    s = max(max(n0, n1), max(n2, n3)) - 1
    if s >= m:
        for n, o in ((n0, o0), (n1, o1), (n2, o2), (n3, o3)):
            if m >= n:
                sma_head(x, n, o, m)
        return
    i0 = 1.0 / n0
    i1 = 1.0 / n1
    i2 = 1.0 / n2
    i3 = 1.0 / n3
    t0 = sma_head(x, n0, o0, s)
    t1 = sma_head(x, n1, o1, s)
    t2 = sma_head(x, n2, o2, s)
    t3 = sma_head(x, n3, o3, s)
    for i in range(s, m):
        v = x[i]
        t0 += v
        p0 = t0
        t0 -= x[i - n0 + 1]
        t1 += v
        p1 = t1
        t1 -= x[i - n1 + 1]
        t2 += v
        p2 = t2
        t2 -= x[i - n2 + 1]
        t3 += v
        p3 = t3
        t3 -= x[i - n3 + 1]
        o0[i] = p0 * i0
        o1[i] = p1 * i1
        o2[i] = p2 * i2
        o3[i] = p3 * i3


@njit(cache=True, error_model="numpy")
def ema4_into(x, n0, n1, n2, n3, o0, o1, o2, o3):  # type: ignore[no-untyped-def]
    # Four SMA-seeded EMAs (repeat one to run fewer), advanced together after their seeds.
    m = x.shape[0]
    s = max(max(n0, n1), max(n2, n3))
    if s >= m:
        for n, o in ((n0, o0), (n1, o1), (n2, o2), (n3, o3)):
            if n - 1 < m:
                ema_head(x, n, 0, o, m)
        return
    k0 = 2.0 / (n0 + 1)
    k1 = 2.0 / (n1 + 1)
    k2 = 2.0 / (n2 + 1)
    k3 = 2.0 / (n3 + 1)
    e0 = ema_head(x, n0, 0, o0, s)
    e1 = ema_head(x, n1, 0, o1, s)
    e2 = ema_head(x, n2, 0, o2, s)
    e3 = ema_head(x, n3, 0, o3, s)
    for i in range(s, m):
        v = x[i]
        e0 = ((v - e0) * k0) + e0
        e1 = ((v - e1) * k1) + e1
        e2 = ((v - e2) * k2) + e2
        e3 = ((v - e3) * k3) + e3
        o0[i] = e0
        o1[i] = e1
        o2[i] = e2
        o3[i] = e3


@njit(cache=True, error_model="numpy")
def natr_from_atr(c, atr, n, out):  # type: ignore[no-untyped-def]
    # NATR = 100 * ATR / close, from an already computed ATR of the same period (may be the
    # output row itself: elementwise, in place).
    if n < c.shape[0]:
        _natr(c[n:], atr[n:], out[n:])


@njit(cache=True, error_model="numpy")
def _natr(c, atr, out):  # type: ignore[no-untyped-def]
    # Indexed from 0 (slices) so numba's negative-index wraparound folds away: vectorises.
    for t in range(out.shape[0]):
        v = c[t]
        out[t] = (atr[t] / v) * 100.0 if abs(v) >= EPS else 0.0


@njit(cache=True, error_model="numpy")
def bbands_stddev_into(x, n, devup, devdn, nbdev, up, mid, low, sd):  # type: ignore[no-untyped-def]
    # BBANDS(n) and STDDEV(n) share one pass of running sums (mean and variance are the same
    # operations in both): each output then applies its own zero and scale rules to the one
    # variance, in a separate pass that vectorises.
    if x.shape[0] < n:
        return
    moments_into(x, n, mid, sd)  # sd holds the variance until the pass below
    s = n - 1
    _bands_and_sd(devup, devdn, nbdev, mid[s:], sd[s:], up[s:], low[s:])


@njit(cache=True, error_model="numpy")
def _bands_and_sd(devup, devdn, nbdev, mid, sd, up, low):  # type: ignore[no-untyped-def]
    # sd enters holding the variance. Indexed from 0 (slices): numba's negative-index
    # wraparound folds away and the loop vectorises.
    for i in range(sd.shape[0]):
        var = sd[i]
        mean1 = mid[i]
        root = np.sqrt(var)
        s = root if var >= EPS else 0.0
        if devup == devdn:
            d = s * devup
            up[i] = mean1 + d
            low[i] = mean1 - d
        else:
            up[i] = mean1 + s * devup
            low[i] = mean1 - s * devdn
        if var < EPS:
            sd[i] = 0.0
        elif nbdev != 1.0:
            sd[i] = root * nbdev
        else:
            sd[i] = root


@njit(cache=True, error_model="numpy")
def macd_trix_into(x, fast, slow, signal, n, o_macd, o_sig, o_hist, o_trix):  # type: ignore[no-untyped-def]
    # MACD and TRIX of close: each runs alone through its seeding, then both advance together.
    m = x.shape[0]
    s = max(slow + signal - 1, 3 * n - 1)  # first bar both are past their seeding
    if s >= m:
        macd_into(x, fast, slow, signal, o_macd, o_sig, o_hist)
        trix_into(x, n, o_trix)
        return
    ef, es, sig = macd_run(x, fast, slow, signal, o_macd, o_sig, o_hist, s)
    e1, e2, e3 = trix_run(x, n, o_trix, s)
    kf = 2.0 / (fast + 1)
    ks = 2.0 / (slow + 1)
    kg = 2.0 / (signal + 1)
    k = 2.0 / (n + 1)
    for i in range(s, m):
        v = x[i]
        ef = ((v - ef) * kf) + ef
        es = ((v - es) * ks) + es
        line = ef - es
        sig = ((line - sig) * kg) + sig
        e1 = ((v - e1) * k) + e1
        e2 = ((e1 - e2) * k) + e2
        prev = e3
        e3 = ((e2 - e3) * k) + e3
        o_macd[i] = line
        o_sig[i] = sig
        o_hist[i] = line - sig
        o_trix[i] = ((e3 / prev) - 1.0) * 100.0 if prev != 0.0 else 0.0
