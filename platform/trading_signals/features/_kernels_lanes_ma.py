"""Lane kernels (panel fast path), moving averages and close-only oscillators.

Inputs are wide ``(n_bars, n_lanes)`` arrays, one lane per symbol, NaN-free. Each lane runs
exactly the scalar kernel's arithmetic (so results are bit-identical to the per-symbol path);
the inner loop over lanes lets LLVM vectorise the recurrences across symbols (AVX2: 4 lanes per
instruction) and overlap their latency chains, which is where the speed-up over TA-Lib's one
series at a time comes from.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_ma import EPS, LINREG_RESYNC


@njit(cache=True, error_model="numpy")
def sma_l(x, n, first, out):  # type: ignore[no-untyped-def]
    m, nl = x.shape
    if m < first + n:
        return
    inv = 1.0 / n
    tot = np.zeros(nl)
    for i in range(first, first + n - 1):
        for j in range(nl):
            tot[j] += x[i, j]
    for i in range(first + n - 1, m):
        for j in range(nl):
            t = tot[j] + x[i, j]
            out[i, j] = t * inv
            tot[j] = t - x[i - n + 1, j]


@njit(cache=True, error_model="numpy")
def ema_l(x, n, first, out):  # type: ignore[no-untyped-def]
    m, nl = x.shape
    seed = first + n - 1
    if seed >= m:
        return
    k = 2.0 / (n + 1)
    prev = np.zeros(nl)
    for i in range(first, seed + 1):
        for j in range(nl):
            prev[j] += x[i, j]
    for j in range(nl):
        prev[j] = prev[j] / n
        out[seed, j] = prev[j]
    for i in range(seed + 1, m):
        for j in range(nl):
            p = ((x[i, j] - prev[j]) * k) + prev[j]
            prev[j] = p
            out[i, j] = p


@njit(cache=True, error_model="numpy")
def _ema_step(x, t, k, prev):  # type: ignore[no-untyped-def]
    for j in range(prev.shape[0]):
        prev[j] = ((x[t, j] - prev[j]) * k) + prev[j]


@njit(cache=True, error_model="numpy")
def macd_l(x, fast, slow, signal, out_macd, out_signal, out_hist):  # type: ignore[no-untyped-def]
    # One streaming pass with the arithmetic of three ``ema_l`` calls (fast, slow, then the
    # signal EMA of their difference), without the (n_bars, n_lanes) fast-EMA temporary.
    m, nl = x.shape
    start = slow - 1
    first_out = start + signal - 1
    if first_out >= m:
        return
    kf = 2.0 / (fast + 1)
    ks = 2.0 / (slow + 1)
    kg = 2.0 / (signal + 1)
    ef = np.zeros(nl)
    es = np.zeros(nl)
    sg = np.zeros(nl)
    for i in range(slow):  # SMA seeds: slow over bars 0.., fast over bars slow-fast..
        for j in range(nl):
            es[j] += x[i, j]
        if i >= slow - fast:
            for j in range(nl):
                ef[j] += x[i, j]
    for t in range(start, m):
        if t == start:
            for j in range(nl):
                ef[j] = ef[j] / fast
                es[j] = es[j] / slow
        else:
            _ema_step(x, t, kf, ef)
            _ema_step(x, t, ks, es)
        if t < first_out:  # the signal EMA's seed sum; MACD itself stays NaN until first_out
            for j in range(nl):
                sg[j] += ef[j] - es[j]
                out_macd[t, j] = np.nan
            continue
        for j in range(nl):
            d = ef[j] - es[j]
            if t == first_out:
                g = (sg[j] + d) / signal
            else:
                g = ((d - sg[j]) * kg) + sg[j]
            sg[j] = g
            out_macd[t, j] = d
            out_signal[t, j] = g
            out_hist[t, j] = d - g


@njit(cache=True, error_model="numpy")
def trix_l(x, n, out):  # type: ignore[no-untyped-def]
    # EMA^3 in one streaming pass, the arithmetic of three chained ``ema_l`` calls (each EMA
    # seeded with the SMA of its input's first n defined values) without two temporaries.
    m, nl = x.shape
    first_out = 3 * (n - 1) + 1
    if first_out >= m:
        return
    k = 2.0 / (n + 1)
    e1 = np.zeros(nl)
    e2 = np.zeros(nl)
    e3 = np.zeros(nl)
    for t in range(n):
        for j in range(nl):
            e1[j] += x[t, j]
    for j in range(nl):
        e1[j] = e1[j] / n  # EMA1 at bar n-1
        e2[j] += e1[j]
    for t in range(n, 2 * n - 1):
        _ema_step(x, t, k, e1)
        for j in range(nl):
            e2[j] += e1[j]
    for j in range(nl):
        e2[j] = e2[j] / n  # EMA2 at bar 2n-2
        e3[j] += e2[j]
    for t in range(2 * n - 1, 3 * n - 2):
        _ema_step(x, t, k, e1)
        for j in range(nl):
            e2[j] = ((e1[j] - e2[j]) * k) + e2[j]
            e3[j] += e2[j]
    for j in range(nl):
        e3[j] = e3[j] / n  # EMA3 at bar 3n-3
    for t in range(first_out, m):
        _ema_step(x, t, k, e1)
        for j in range(nl):
            e2[j] = ((e1[j] - e2[j]) * k) + e2[j]
            prev = e3[j]
            e = ((e2[j] - prev) * k) + prev
            e3[j] = e
            out[t, j] = ((e / prev) - 1.0) * 100.0 if prev != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def stddev_l(x, n, nbdev, out):  # type: ignore[no-untyped-def]
    m, nl = x.shape
    if m < n:
        return
    inv = 1.0 / n
    t1 = np.zeros(nl)
    t2 = np.zeros(nl)
    for i in range(n - 1):
        for j in range(nl):
            v = x[i, j]
            t1[j] += v
            t2[j] += v * v
    for i in range(n - 1, m):
        for j in range(nl):
            v = x[i, j]
            a = t1[j] + v
            b = t2[j] + v * v
            mean1 = a * inv
            var = b * inv - mean1 * mean1
            w = x[i - n + 1, j]
            t1[j] = a - w
            t2[j] = b - w * w
            if var < EPS:
                out[i, j] = 0.0
            elif nbdev != 1.0:
                out[i, j] = np.sqrt(var) * nbdev
            else:
                out[i, j] = np.sqrt(var)


@njit(cache=True, error_model="numpy")
def bbands_l(x, n, devup, devdn, out_up, out_mid, out_lo):  # type: ignore[no-untyped-def]
    m, nl = x.shape
    if m < n:
        return
    sma_l(x, n, 0, out_mid)
    inv = 1.0 / n
    t2 = np.zeros(nl)
    for i in range(n - 1):
        for j in range(nl):
            t2[j] += x[i, j] * x[i, j]
    for i in range(n - 1, m):
        for j in range(nl):
            v = x[i, j]
            b = t2[j] + v * v
            mean2 = b * inv
            w = x[i - n + 1, j]
            t2[j] = b - w * w
            mid = out_mid[i, j]
            mean2 -= mid * mid
            sd = np.sqrt(mean2) if mean2 >= EPS else 0.0
            out_up[i, j] = mid + sd * devup
            out_lo[i, j] = mid - sd * devdn


@njit(cache=True, error_model="numpy")
def linreg_slope_l(x, n, out):  # type: ignore[no-untyped-def]
    # Same O(1) running sums and re-sync schedule as ``linreg_slope_into``.
    m, nl = x.shape
    if m < n:
        return
    sum_x = n * (n - 1) * 0.5
    sum_x_sqr = n * (n - 1) * (2 * n - 1) / 6.0
    divisor = sum_x * sum_x - n * sum_x_sqr
    inv = 1.0 / divisor
    sy = np.zeros(nl)
    sxy = np.zeros(nl)
    for t in range(n - 1, m):
        if t == n - 1 or t % LINREG_RESYNC == 0:
            sy[:] = 0.0
            sxy[:] = 0.0
            for i in range(n - 1, -1, -1):
                for j in range(nl):
                    v = x[t - i, j]
                    sy[j] += v
                    sxy[j] += i * v
        else:
            for j in range(nl):
                old = x[t - n, j]
                a = sxy[j] + sy[j] - n * old
                sxy[j] = a
                sy[j] = sy[j] - old + x[t, j]
        for j in range(nl):
            out[t, j] = (n * sxy[j] - sum_x * sy[j]) * inv


@njit(cache=True, error_model="numpy")
def roc_mom_l(x, n, is_roc, out):  # type: ignore[no-untyped-def]
    m, nl = x.shape
    for t in range(n, m):
        for j in range(nl):
            prev = x[t - n, j]
            if is_roc:
                out[t, j] = ((x[t, j] / prev) - 1.0) * 100.0 if prev != 0.0 else 0.0
            else:
                out[t, j] = x[t, j] - prev


@njit(cache=True, error_model="numpy")
def rsi_l(x, n, out):  # type: ignore[no-untyped-def]
    m, nl = x.shape
    if m <= n:
        return
    gain = np.zeros(nl)
    loss = np.zeros(nl)
    for i in range(1, n + 1):
        for j in range(nl):
            d = x[i, j] - x[i - 1, j]
            if d < 0:
                loss[j] -= d
            else:
                gain[j] += d
    for j in range(nl):
        loss[j] /= n
        gain[j] /= n
        s = gain[j] + loss[j]
        out[n, j] = 100.0 * (gain[j] / s) if abs(s) >= EPS else 0.0
    inv = 1.0 / n
    for i in range(n + 1, m):
        for j in range(nl):
            d = x[i, j] - x[i - 1, j]
            lo = loss[j] * (n - 1)
            g = gain[j] * (n - 1)
            lo = lo - d if d < 0 else lo
            g = g if d < 0 else g + d
            lo *= inv
            g *= inv
            loss[j] = lo
            gain[j] = g
            s = g + lo
            out[i, j] = 100.0 * (g / s) if abs(s) >= EPS else 0.0
