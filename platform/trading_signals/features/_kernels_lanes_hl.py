"""Lane kernels (panel fast path) on high/low/close: channels, stochastics, ATR, ADX, CCI, SAR.

Wide ``(n_bars, n_lanes)`` NaN-free inputs; each lane repeats the scalar kernel's arithmetic
(window extremes and AROON live in :mod:`._kernels_lanes_ext`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_lanes_ext import window_max_min_l
from trading_signals.features._kernels_lanes_ma import ema_l, sma_l
from trading_signals.features._kernels_ma import EPS


@njit(cache=True, error_model="numpy")
def stoch_l(h, lo, c, fastk, slowk, slowd, out_k, out_d):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    start = fastk + slowk + slowd - 3
    if m <= start:
        return
    hh = np.empty((m, nl))
    ll = np.empty((m, nl))
    window_max_min_l(h, lo, fastk, hh, ll)
    for t in range(fastk - 1, m):
        for j in range(nl):
            diff = (hh[t, j] - ll[t, j]) * 0.01
            hh[t, j] = (c[t, j] - ll[t, j]) / diff if diff != 0.0 else 0.0
    sma_l(hh, slowk, fastk - 1, ll)
    sma_l(ll, slowd, fastk + slowk - 2, out_d)
    for t in range(start, m):
        for j in range(nl):
            out_k[t, j] = ll[t, j]
    for t in range(start - slowd + 1, start):
        for j in range(nl):
            out_d[t, j] = np.nan


@njit(cache=True, error_model="numpy")
def willr_l(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    if m < n:
        return
    hh = np.empty((m, nl))
    ll = np.empty((m, nl))
    window_max_min_l(h, lo, n, hh, ll)
    for t in range(n - 1, m):
        for j in range(nl):
            diff = (hh[t, j] - ll[t, j]) * -0.01
            out[t, j] = (hh[t, j] - c[t, j]) / diff if diff != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def cci_l(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    # Sum the window in TA-Lib's circular-buffer slot order (slot s holds the bar k with
    # k % n == s): that order is bars a..t then base..a-1, where a is the window's bar with
    # a % n == 0. The a..t part is a running prefix (reset at each a), so only the base..a-1
    # tail is re-added per bar: the same additions in the same order as a full re-sum.
    m, nl = c.shape
    if m < n:
        return
    tp = np.empty((m, nl))
    for t in range(m):
        for j in range(nl):
            tp[t, j] = (h[t, j] + lo[t, j] + c[t, j]) / 3.0
    pre = np.zeros(nl)
    avg = np.empty(nl)
    dev = np.empty(nl)
    for t in range(m):
        r = t % n
        if r == 0:
            for j in range(nl):
                pre[j] = 0.0 + tp[t, j]
        else:
            for j in range(nl):
                pre[j] += tp[t, j]
        if t < n - 1:
            continue
        base = t - n + 1
        avg[:] = pre
        for k in range(base, t - r):
            for j in range(nl):
                avg[j] += tp[k, j]
        for j in range(nl):
            avg[j] /= n
        dev[:] = 0.0
        for s in range(n):
            k = base + ((s - base) % n)
            for j in range(nl):
                dev[j] += abs(tp[k, j] - avg[j])
        for j in range(nl):
            diff = tp[t, j] - avg[j]
            d = dev[j]
            out[t, j] = diff / (0.015 * (d / n)) if (diff != 0.0 and d != 0.0) else 0.0


@njit(cache=True, error_model="numpy")
def atr_l(h, lo, c, n, natr, out):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    if m <= n:
        return
    prev = np.zeros(nl)
    for t in range(1, n + 1):
        for j in range(nl):
            prev[j] += _tr(h[t, j], lo[t, j], c[t - 1, j])
    for j in range(nl):
        prev[j] /= n
    inv = 1.0 / n
    for t in range(n, m):
        for j in range(nl):
            if t > n:
                prev[j] = (prev[j] * (n - 1) + _tr(h[t, j], lo[t, j], c[t - 1, j])) * inv
            a = prev[j]
            if natr:
                v = c[t, j]
                out[t, j] = (a / v) * 100.0 if abs(v) >= EPS else 0.0
            else:
                out[t, j] = a


@njit(cache=True, error_model="numpy")
def _tr(hi, low, y):  # type: ignore[no-untyped-def]
    tr = hi - low
    v = abs(y - hi)
    tr = max(tr, v)
    v = abs(y - low)
    return max(tr, v)


@njit(cache=True, error_model="numpy")
def keltner_l(h, lo, c, n, atr_n, mult, out_up, out_lo):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    start = max(n - 1, atr_n)
    if m <= start:
        return
    atr = np.full((m, nl), np.nan)
    atr_l(h, lo, c, atr_n, False, atr)
    ema_l(c, n, 0, out_up)
    for t in range(n - 1, m):
        for j in range(nl):
            d = mult * atr[t, j]
            mid = out_up[t, j]
            if t >= start:
                out_up[t, j] = mid + d
                out_lo[t, j] = mid - d
            else:
                out_up[t, j] = np.nan


@njit(cache=True, error_model="numpy")
def _dmi_step(hi, low, phi, plow, pc, pdm, mdm, tr, inv):  # type: ignore[no-untyped-def]
    dp = hi - phi
    dm = plow - low
    p = pdm - (pdm * inv) + (dp if (dp > 0 and dp > dm) else 0.0)
    q = mdm - (mdm * inv) + (dm if (dm > 0 and dm > dp) else 0.0)
    r = tr - (tr * inv) + _tr(hi, low, pc)
    ok = abs(r) >= EPS
    pdi = 100.0 * (p / r) if ok else 0.0
    mdi = 100.0 * (q / r) if ok else 0.0
    s = pdi + mdi
    ok = ok and abs(s) >= EPS
    dx = 100.0 * (abs(mdi - pdi) / s) if ok else 0.0
    return p, q, r, pdi, mdi, dx, ok


@njit(cache=True, error_model="numpy")
def adx_l(h, lo, c, n, out_adx, out_pdi, out_mdi):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    if m <= n:
        return
    pdm = np.zeros(nl)
    mdm = np.zeros(nl)
    tr = np.zeros(nl)
    adx = np.zeros(nl)
    inv = 1.0 / n  # Wilder smoothing by a reciprocal, as in ``adx_into``
    for t in range(1, n):
        for j in range(nl):
            dp = h[t, j] - h[t - 1, j]
            dm = lo[t - 1, j] - lo[t, j]
            pdm[j] += dp if (dp > 0 and dp > dm) else 0.0
            mdm[j] += dm if (dm > 0 and dm > dp) else 0.0
            tr[j] += _tr(h[t, j], lo[t, j], c[t - 1, j])
    for t in range(n, m):
        seeding = t < 2 * n  # bars n..2n-1 sum DX; ADX = mean at 2n-1, then Wilder smoothing
        for j in range(nl):
            p, q, r, pdi, mdi, dx, ok = _dmi_step(
                h[t, j],
                lo[t, j],
                h[t - 1, j],
                lo[t - 1, j],
                c[t - 1, j],
                pdm[j],
                mdm[j],
                tr[j],
                inv,
            )
            pdm[j] = p
            mdm[j] = q
            tr[j] = r
            out_pdi[t, j] = pdi
            out_mdi[t, j] = mdi
            if seeding:
                adx[j] += dx if ok else 0.0
            else:
                adx[j] = ((adx[j] * (n - 1)) + dx) * inv if ok else adx[j]
        if t == 2 * n - 1:
            for j in range(nl):
                adx[j] = adx[j] / n
        if t >= 2 * n - 1:
            for j in range(nl):
                out_adx[t, j] = adx[j]


@njit(cache=True, error_model="numpy")
def ultosc_l(h, lo, c, p1, p2, p3, out):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    start = max(p1, max(p2, p3))
    if m <= start:
        return
    # Per-bar terms first: buying pressure a = close - true low, true range b.
    a = np.empty((m, nl))
    b = np.empty((m, nl))
    for t in range(1, m):
        for j in range(nl):
            y = c[t - 1, j]
            low = lo[t, j]
            a[t, j] = c[t, j] - (min(y, low))
            b[t, j] = _tr(h[t, j], low, y)
    tot = np.zeros((6, nl))
    for k, p in enumerate((p1, p2, p3)):
        for t in range(start - p + 1, start):
            for j in range(nl):
                tot[2 * k, j] += a[t, j]
                tot[2 * k + 1, j] += b[t, j]
    for t in range(start, m):
        for j in range(nl):
            a1 = tot[0, j] + a[t, j]
            b1 = tot[1, j] + b[t, j]
            a2 = tot[2, j] + a[t, j]
            b2 = tot[3, j] + b[t, j]
            a3 = tot[4, j] + a[t, j]
            b3 = tot[5, j] + b[t, j]
            s = 0.0
            if abs(b1) >= EPS:
                s += 4.0 * (a1 / b1)
            if abs(b2) >= EPS:
                s += 2.0 * (a2 / b2)
            if abs(b3) >= EPS:
                s += a3 / b3
            tot[0, j] = a1 - a[t - p1 + 1, j]
            tot[1, j] = b1 - b[t - p1 + 1, j]
            tot[2, j] = a2 - a[t - p2 + 1, j]
            tot[3, j] = b2 - b[t - p2 + 1, j]
            tot[4, j] = a3 - a[t - p3 + 1, j]
            tot[5, j] = b3 - b[t - p3 + 1, j]
            out[t, j] = s * (100.0 / 7.0)


@njit(cache=True, error_model="numpy")
def sar_l(h, lo, accel, maximum, out):  # type: ignore[no-untyped-def]
    # TA-Lib's SAR state machine, branch-free per lane: compute the four transitions (stay/flip
    # x long/short) and select, so the lanes vectorise. Same arithmetic as ``sar_into``.
    m, nl = h.shape
    if m < 2:
        return
    accel = min(accel, maximum)
    is_long = np.empty(nl, dtype=np.bool_)
    sar = np.empty(nl)
    ep = np.empty(nl)
    af = np.full(nl, accel)
    for j in range(nl):
        diff_p = h[1, j] - h[0, j]
        diff_m = lo[0, j] - lo[1, j]
        is_long[j] = not (diff_m > 0 and diff_p < diff_m)
        ep[j] = h[1, j] if is_long[j] else lo[1, j]
        sar[j] = lo[0, j] if is_long[j] else h[0, j]
    for t in range(1, m):
        tp = max(t - 1, 1)
        for j in range(nl):
            nlo = lo[t, j]
            nhi = h[t, j]
            plo = lo[tp, j]
            phi = h[tp, j]
            lg = is_long[j]
            s = sar[j]
            e = ep[j]
            a = af[j]
            # long -> short flip
            f1 = max(max(e, phi), nhi)
            f1n = f1 + accel * (nlo - f1)
            f1n = max(max(f1n, phi), nhi)
            # long continues
            up = nhi > e
            e2 = nhi if up else e
            a2 = min(a + accel, maximum) if up else a
            s2 = s + a2 * (e2 - s)
            s2 = min(min(s2, plo), nlo)
            # short -> long flip
            f3 = min(min(e, plo), nlo)
            f3n = f3 + accel * (nhi - f3)
            f3n = min(min(f3n, plo), nlo)
            # short continues
            dn = nlo < e
            e4 = nlo if dn else e
            a4 = min(a + accel, maximum) if dn else a
            s4 = s + a4 * (e4 - s)
            s4 = max(max(s4, phi), nhi)
            flip = (nlo <= s) if lg else (nhi >= s)
            if lg:
                out[t, j] = f1 if flip else s
                sar[j] = f1n if flip else s2
                ep[j] = nlo if flip else e2
                af[j] = accel if flip else a2
            else:
                out[t, j] = f3 if flip else s
                sar[j] = f3n if flip else s4
                ep[j] = nhi if flip else e4
                af[j] = accel if flip else a4
            is_long[j] = lg != flip
