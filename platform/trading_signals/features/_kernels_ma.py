"""Numba kernels: moving averages and statistics (SMA, EMA, MACD, TRIX, STDDEV, BBANDS, LINREG).

Every kernel works on one NaN-free segment and writes into preallocated, NaN-filled outputs.
Arithmetic order mirrors TA-Lib's C code so that results agree to the last few ulps.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# TA-Lib's TA_IS_ZERO / TA_IS_ZERO_OR_NEG epsilon.
EPS = 1e-14


@njit(cache=True, error_model="numpy")
def sma_head(x, n, out, stop):  # type: ignore[no-untyped-def]
    # SMA for bars < stop (stop >= n - 1, TA-Lib's running total); returns the running total,
    # so a fused loop can carry on from bar stop.
    inv = 1.0 / n  # reciprocal: a division per bar costs more than the rest of the loop
    total = 0.0
    for i in range(n - 1):
        total += x[i]
    for i in range(n - 1, stop):
        total += x[i]
        tmp = total
        total -= x[i - n + 1]
        out[i] = tmp * inv
    return total


@njit(cache=True, error_model="numpy")
def ema_head(x, n, first, out, stop):  # type: ignore[no-untyped-def]
    # TA-Lib's EMA for bars < stop (stop >= first + n), seeded with the SMA of
    # x[first:first+n] at bar first+n-1; returns the last EMA value, so a fused loop
    # can carry on from bar stop.
    seed = first + n - 1
    k = 2.0 / (n + 1)
    total = 0.0
    for i in range(first, seed + 1):
        total += x[i]
    prev = total / n
    out[seed] = prev
    for i in range(seed + 1, stop):
        prev = ((x[i] - prev) * k) + prev
        out[i] = prev
    return prev


@njit("float64(float64[::1], int64, int64)", cache=True, error_model="numpy")
def _sma_seed(x, first, n):  # type: ignore[no-untyped-def]
    # The SMA that seeds a TA-Lib EMA: x[first:first+n] summed in order, then divided.
    total = 0.0
    for i in range(first, first + n):
        total += x[i]
    return total / n


@njit(cache=True, error_model="numpy")
def macd_into(x, fast, slow, signal, out_macd, out_signal, out_hist):  # type: ignore[no-untyped-def]
    if slow + signal - 2 < x.shape[0]:
        macd_run(x, fast, slow, signal, out_macd, out_signal, out_hist, x.shape[0])


@njit(cache=True, error_model="numpy")
def macd_run(x, fast, slow, signal, out_macd, out_signal, out_hist, stop):  # type: ignore[no-untyped-def]
    # MACD for bars < stop (stop > slow + signal - 2); returns the fast, slow and signal EMAs.
    # TA-Lib seeds the fast EMA on the same bar as the slow one (index slow-1); the signal EMA
    # is seeded with the SMA of the first ``signal`` MACD values. One fused pass (same
    # arithmetic as three ``ema_head`` calls): the three EMA chains overlap in the pipeline.
    start = slow - 1
    first_out = start + signal - 1
    kf = 2.0 / (fast + 1)
    ks = 2.0 / (slow + 1)
    kg = 2.0 / (signal + 1)
    ef = _sma_seed(x, slow - fast, fast)
    es = _sma_seed(x, 0, slow)
    line = ef - es
    sig_total = line
    for i in range(start + 1, first_out):
        v = x[i]
        ef = ((v - ef) * kf) + ef
        es = ((v - es) * ks) + es
        sig_total += ef - es
    if first_out > start:
        v = x[first_out]
        ef = ((v - ef) * kf) + ef
        es = ((v - es) * ks) + es
        line = ef - es
        sig_total += line
    sig = sig_total / signal
    out_macd[first_out] = line
    out_signal[first_out] = sig
    out_hist[first_out] = line - sig
    for i in range(first_out + 1, stop):
        v = x[i]
        ef = ((v - ef) * kf) + ef
        es = ((v - es) * ks) + es
        line = ef - es
        sig = ((line - sig) * kg) + sig
        out_macd[i] = line
        out_signal[i] = sig
        out_hist[i] = line - sig
    return ef, es, sig


@njit(cache=True, error_model="numpy")
def trix_into(x, n, out):  # type: ignore[no-untyped-def]
    if 3 * (n - 1) + 1 < x.shape[0]:
        trix_run(x, n, out, x.shape[0])


@njit(cache=True, error_model="numpy")
def trix_run(x, n, out, stop):  # type: ignore[no-untyped-def]
    # TRIX for bars < stop (stop > 3n - 2); returns its three EMAs.
    # 1-bar ROC of EMA(EMA(EMA(x))), each EMA SMA-seeded on its input's first n values (TA-Lib).
    # One fused pass with the same arithmetic as three ``ema_head`` calls.
    k = 2.0 / (n + 1)
    e1 = _sma_seed(x, 0, n)  # at bar n-1
    t2 = e1
    for i in range(n, 2 * n - 1):  # e1 up to bar 2n-2, summed for e2's seed
        e1 = ((x[i] - e1) * k) + e1
        t2 += e1
    e2 = t2 / n  # at bar 2n-2
    t3 = e2
    for i in range(2 * n - 1, 3 * n - 2):
        e1 = ((x[i] - e1) * k) + e1
        e2 = ((e1 - e2) * k) + e2
        t3 += e2
    e3 = t3 / n  # at bar 3n-3
    for i in range(3 * n - 2, stop):
        e1 = ((x[i] - e1) * k) + e1
        e2 = ((e1 - e2) * k) + e2
        prev = e3
        e3 = ((e2 - e3) * k) + e3
        out[i] = ((e3 / prev) - 1.0) * 100.0 if prev != 0.0 else 0.0
    return e1, e2, e3


@njit(cache=True, error_model="numpy")
def moments_into(x, n, mean, var):  # type: ignore[no-untyped-def]
    # TA-Lib INT_VAR: each window's mean and population variance (E[x^2] - E[x]^2) from
    # running sums; BBANDS and STDDEV share it.
    m = x.shape[0]
    if m < n:
        return
    inv = 1.0 / n
    t1 = 0.0
    t2 = 0.0
    for i in range(n - 1):
        v = x[i]
        t1 += v
        t2 += v * v
    for i in range(n - 1, m):
        v = x[i]
        t1 += v
        t2 += v * v
        mean1 = t1 * inv
        mean2 = t2 * inv
        v = x[i - n + 1]
        t1 -= v
        t2 -= v * v
        mean[i] = mean1
        var[i] = mean2 - mean1 * mean1


@njit(cache=True, error_model="numpy")
def variance_into(x, n, out):  # type: ignore[no-untyped-def]
    moments_into(x, n, np.empty(x.shape[0]), out)


@njit(cache=True, error_model="numpy")
def stddev_into(x, n, nbdev, out):  # type: ignore[no-untyped-def]
    m = x.shape[0]
    if m < n:
        return
    variance_into(x, n, out)
    for i in range(n - 1, m):
        v = out[i]
        if v < EPS:
            out[i] = 0.0
        elif nbdev != 1.0:
            out[i] = np.sqrt(v) * nbdev
        else:
            out[i] = np.sqrt(v)


# Bars between exact re-summations of the O(1) running sums in LINEARREG_SLOPE (bounds drift).
LINREG_RESYNC = 128


@njit(cache=True, error_model="numpy")
def linreg_sums(x, n, t):  # type: ignore[no-untyped-def]
    # TA-Lib's exact sums for the window ending at t: x-axis counts bars back from t.
    sy = 0.0
    sxy = 0.0
    for i in range(n - 1, -1, -1):
        v = x[t - i]
        sy += v
        sxy += i * v
    return sy, sxy


@njit(cache=True, error_model="numpy")
def linreg_slope_into(x, n, out):  # type: ignore[no-untyped-def]
    # O(1) per bar: S_t = S_{t-1} + Y_{t-1} - n x_{t-n}, Y_t = Y_{t-1} - x_{t-n} + x_t, re-summed
    # exactly every LINREG_RESYNC bars (deliberate: TA-Lib re-sums each window; the results agree
    # to ~1e-13 of the column scale, see the parity tests).
    m = x.shape[0]
    if m < n:
        return
    sum_x = n * (n - 1) * 0.5
    sum_x_sqr = n * (n - 1) * (2 * n - 1) / 6.0
    divisor = sum_x * sum_x - n * sum_x_sqr
    inv = 1.0 / divisor
    sy, sxy = linreg_sums(x, n, n - 1)
    out[n - 1] = (n * sxy - sum_x * sy) * inv
    for t in range(n, m):
        if t % LINREG_RESYNC == 0:
            sy, sxy = linreg_sums(x, n, t)
        else:
            old = x[t - n]
            sxy = sxy + sy - n * old
            sy = sy - old + x[t]
        out[t] = (n * sxy - sum_x * sy) * inv
