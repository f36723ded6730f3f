"""Numba kernels: oscillators (RSI, STOCH, WILLR, CCI, ROC, MOM, ULTOSC, AROON).

Every kernel works on one NaN-free segment and writes into preallocated, NaN-filled outputs.
Arithmetic order and zero checks mirror TA-Lib's C code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_ma import EPS, sma_into


@njit(cache=True, error_model="numpy")
def rsi_into(x, n, out):  # type: ignore[no-untyped-def]
    m = x.shape[0]
    if m <= n:
        return
    prev = x[0]
    gain = 0.0
    loss = 0.0
    for i in range(1, n + 1):
        d = x[i] - prev
        prev = x[i]
        if d < 0:
            loss -= d
        else:
            gain += d
    loss /= n
    gain /= n
    s = gain + loss
    out[n] = 100.0 * (gain / s) if abs(s) >= EPS else 0.0
    inv = 1.0 / n  # Wilder smoothing by a reciprocal: the division chain was the bottleneck
    for i in range(n + 1, m):
        d = x[i] - prev
        prev = x[i]
        loss *= n - 1
        gain *= n - 1
        # Selects, not branches: the sign of a random walk's step is unpredictable.
        neg = d < 0
        loss = loss - d if neg else loss
        gain = gain if neg else gain + d
        loss *= inv
        gain *= inv
        s = gain + loss
        out[i] = 100.0 * (gain / s) if abs(s) >= EPS else 0.0


@njit(cache=True, error_model="numpy")
def rolling_max_min_into(hi, lo, n, out_max, out_min):  # type: ignore[no-untyped-def]
    # Window [t-n+1, t], streaming van Herk / Gil-Werman: a window that is not block-aligned is
    # a suffix of the previous n-bar block plus a prefix of the current one, so each bar costs a
    # few branch-free max/min (TA-Lib's rescan-on-expiry scheme mispredicts on random walks).
    # Extremes are exact, so the values equal TA-Lib's and the panel kernels' bit for bit.
    m = hi.shape[0]
    if m < n:
        return
    smax = np.empty(n)
    smin = np.empty(n)
    pmax = 0.0
    pmin = 0.0
    for t in range(m):
        r = t % n
        if r == 0:
            pmax = hi[t]
            pmin = lo[t]
            if t >= n:  # suffix extremes of the block [t-n, t) just completed
                b0 = t - n
                smax[n - 1] = hi[b0 + n - 1]
                smin[n - 1] = lo[b0 + n - 1]
                for k in range(n - 2, -1, -1):
                    smax[k] = max(hi[b0 + k], smax[k + 1])
                    smin[k] = min(lo[b0 + k], smin[k + 1])
        else:
            pmax = max(hi[t], pmax)
            pmin = min(lo[t], pmin)
        if t < n - 1:
            continue
        if r == n - 1:
            out_max[t] = pmax
            out_min[t] = pmin
        else:
            out_max[t] = max(smax[r + 1], pmax)
            out_min[t] = min(smin[r + 1], pmin)


@njit(cache=True, error_model="numpy")
def stoch_into(h, lo, c, fastk, slowk, slowd, out_k, out_d):  # type: ignore[no-untyped-def]
    m = c.shape[0]
    if m < fastk + slowk + slowd - 2:
        return
    hh = np.full(m, np.nan)
    ll = np.full(m, np.nan)
    rolling_max_min_into(h, lo, fastk, hh, ll)
    k_fast = np.empty(m - fastk + 1)
    for t in range(fastk - 1, m):
        diff = (hh[t] - ll[t]) * 0.01
        k_fast[t - fastk + 1] = (c[t] - ll[t]) / diff if diff != 0.0 else 0.0
    k_slow = np.full(k_fast.shape[0], np.nan)
    sma_into(k_fast, slowk, k_slow)
    d_slow = np.full(k_fast.shape[0], np.nan)
    sma_into(k_slow[slowk - 1 :], slowd, d_slow[slowk - 1 :])
    start = fastk + slowk + slowd - 3
    for t in range(start, m):
        out_k[t] = k_slow[t - fastk + 1]
        out_d[t] = d_slow[t - fastk + 1]


@njit(cache=True, error_model="numpy")
def willr_into(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    m = c.shape[0]
    if m < n:
        return
    hh = np.full(m, np.nan)
    ll = np.full(m, np.nan)
    rolling_max_min_into(h, lo, n, hh, ll)
    for t in range(n - 1, m):
        diff = (hh[t] - ll[t]) * -0.01
        out[t] = (hh[t] - c[t]) / diff if diff != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def cci_into(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    # TA-Lib sums its circular buffer in slot order; we keep the same order for exact parity.
    m = c.shape[0]
    if m < n:
        return
    buf = np.empty(n)
    idx = 0
    for i in range(n - 1):
        buf[idx] = (h[i] + lo[i] + c[i]) / 3.0
        idx += 1
    for t in range(n - 1, m):
        last = (h[t] + lo[t] + c[t]) / 3.0
        buf[idx] = last
        avg = 0.0
        for j in range(n):
            avg += buf[j]
        avg /= n
        dev = 0.0
        for j in range(n):
            dev += abs(buf[j] - avg)
        diff = last - avg
        out[t] = diff / (0.015 * (dev / n)) if (diff != 0.0 and dev != 0.0) else 0.0
        idx += 1
        if idx == n:
            idx = 0


@njit(cache=True, error_model="numpy")
def roc_into(x, n, out):  # type: ignore[no-untyped-def]
    for t in range(n, x.shape[0]):
        prev = x[t - n]
        out[t] = ((x[t] / prev) - 1.0) * 100.0 if prev != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def mom_into(x, n, out):  # type: ignore[no-untyped-def]
    for t in range(n, x.shape[0]):
        out[t] = x[t] - x[t - n]


@njit(cache=True, error_model="numpy")
def _ult_terms(hi, low, close, y):  # type: ignore[no-untyped-def]
    # Scalars only: array arguments to a per-bar helper cost NRT refcounting.
    true_low = min(y, low)
    tr = hi - low
    v = abs(y - hi)
    tr = max(tr, v)
    v = abs(y - low)
    tr = max(tr, v)
    return close - true_low, tr


@njit(cache=True, error_model="numpy")
def ultosc_into(h, lo, c, p1, p2, p3, out):  # type: ignore[no-untyped-def]
    m = c.shape[0]
    start = max(p1, max(p2, p3))
    if m <= start:
        return
    # Per-bar terms once (buying pressure a, true range b); TA-Lib recomputes them for each of
    # the six window edges. Same values, so the running sums are unchanged.
    ta = np.empty(m)
    tb = np.empty(m)
    for i in range(1, m):
        ta[i], tb[i] = _ult_terms(h[i], lo[i], c[i], c[i - 1])
    a1 = b1 = a2 = b2 = a3 = b3 = 0.0
    for i in range(start - p1 + 1, start):
        a1 += ta[i]
        b1 += tb[i]
    for i in range(start - p2 + 1, start):
        a2 += ta[i]
        b2 += tb[i]
    for i in range(start - p3 + 1, start):
        a3 += ta[i]
        b3 += tb[i]
    for t in range(start, m):
        a = ta[t]
        b = tb[t]
        a1 += a
        a2 += a
        a3 += a
        b1 += b
        b2 += b
        b3 += b
        s = 0.0
        if abs(b1) >= EPS:
            s += 4.0 * (a1 / b1)
        if abs(b2) >= EPS:
            s += 2.0 * (a2 / b2)
        if abs(b3) >= EPS:
            s += a3 / b3
        a1 -= ta[t - p1 + 1]
        b1 -= tb[t - p1 + 1]
        a2 -= ta[t - p2 + 1]
        b2 -= tb[t - p2 + 1]
        a3 -= ta[t - p3 + 1]
        b3 -= tb[t - p3 + 1]
        out[t] = s * (100.0 / 7.0)


@njit(cache=True, error_model="numpy")
def aroon_into(h, lo, n, out_up, out_down):  # type: ignore[no-untyped-def]
    # Window of n+1 bars; ties resolve to the most recent bar, as in TA-Lib.
    m = h.shape[0]
    factor = 100.0 / n
    hidx = -1
    lidx = -1
    highest = 0.0
    lowest = 0.0
    for t in range(n, m):
        trailing = t - n
        if lidx < trailing:
            lidx = trailing
            lowest = lo[trailing]
            for i in range(trailing + 1, t + 1):
                if lo[i] <= lowest:
                    lidx = i
                    lowest = lo[i]
        elif lo[t] <= lowest:
            lidx = t
            lowest = lo[t]
        if hidx < trailing:
            hidx = trailing
            highest = h[trailing]
            for i in range(trailing + 1, t + 1):
                if h[i] >= highest:
                    hidx = i
                    highest = h[i]
        elif h[t] >= highest:
            hidx = t
            highest = h[t]
        out_up[t] = factor * (n - (t - hidx))
        out_down[t] = factor * (n - (t - lidx))
