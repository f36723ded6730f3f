"""Lane kernels (panel fast path) on high/low/close: channels, stochastics, ATR, ADX, CCI, SAR.

Wide ``(n_bars, n_lanes)`` NaN-free inputs; each lane repeats the scalar kernel's arithmetic
(window extremes and AROON live in :mod:`._kernels_lanes_ext`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_lanes_ext import window_rows_l
from trading_signals.features._kernels_lanes_ma import sma_l
from trading_signals.features._kernels_ma import EPS


@njit(cache=True, error_model="numpy")
def stoch_l(h, lo, c, fastk, slowk, slowd, out_k, out_d):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    start = fastk + slowk + slowd - 3
    if m <= start:
        return
    k_fast = np.empty((m, nl))
    window_rows_l(h, lo, c, fastk, 2, k_fast, k_fast)
    # Slow %K straight into out_k (the scalar kernel's k_slow), %D from it; then blank the
    # slow-%K rows that precede the first %D.
    sma_l(k_fast, slowk, fastk - 1, out_k)
    sma_l(out_k, slowd, fastk + slowk - 2, out_d)
    for t in range(fastk + slowk - 2, start):
        for j in range(nl):
            out_k[t, j] = np.nan
    for t in range(start - slowd + 1, start):
        for j in range(nl):
            out_d[t, j] = np.nan


@njit(cache=True, error_model="numpy")
def willr_l(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    if c.shape[0] >= n:
        window_rows_l(h, lo, c, n, 1, out, out)


@njit(cache=True, error_model="numpy")
def cci_l(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    # TA-Lib's circular buffer, one row of lanes per slot: slot s holds the bar k with
    # k % n == s, and the window is summed in slot order. Slots 0..r (r = t % n) hold the bars
    # a..t, a running prefix reset at each a; only slots r+1..n-1 (bars t-n+1..a-1) are
    # re-added per bar: the same additions in the same order as a full re-sum. The ring is
    # n rows, cache-resident, unlike an (n_bars, n_lanes) typical-price temporary.
    m, nl = c.shape
    if m < n:
        return
    ring = np.empty((n, nl))
    pre = np.zeros(nl)
    avg = np.empty(nl)
    dev = np.empty(nl)
    for t in range(m):
        r = t % n
        if r == 0:
            for j in range(nl):
                v = (h[t, j] + lo[t, j] + c[t, j]) / 3.0
                ring[r, j] = v
                pre[j] = 0.0 + v
        else:
            for j in range(nl):
                v = (h[t, j] + lo[t, j] + c[t, j]) / 3.0
                ring[r, j] = v
                pre[j] += v
        if t < n - 1:
            continue
        avg[:] = pre
        _add_rows(avg, ring, r + 1, n)
        for j in range(nl):
            avg[j] /= n
        dev[:] = 0.0
        _add_abs_dev_rows(dev, ring, 0, n, avg)
        for j in range(nl):
            diff = ring[r, j] - avg[j]
            d = dev[j]
            out[t, j] = diff / (0.015 * (d / n)) if (diff != 0.0 and d != 0.0) else 0.0


@njit(cache=True, error_model="numpy")
def _add_rows(acc, x, lo, hi):  # type: ignore[no-untyped-def]
    # acc += x[lo] + ... + x[hi-1], left to right; four rows per pass over the lanes (one
    # load/store of acc per four additions instead of per addition).
    nl = acc.shape[0]
    k = lo
    while k + 4 <= hi:
        for j in range(nl):
            d = acc[j] + x[k, j]
            d = d + x[k + 1, j]
            d = d + x[k + 2, j]
            acc[j] = d + x[k + 3, j]
        k += 4
    while k < hi:
        for j in range(nl):
            acc[j] += x[k, j]
        k += 1


@njit(cache=True, error_model="numpy")
def _add_abs_dev_rows(acc, x, lo, hi, mid):  # type: ignore[no-untyped-def]
    # acc += |x[lo] - mid| + ... + |x[hi-1] - mid|, left to right, four rows per pass.
    nl = acc.shape[0]
    k = lo
    while k + 4 <= hi:
        for j in range(nl):
            a = mid[j]
            d = acc[j] + abs(x[k, j] - a)
            d = d + abs(x[k + 1, j] - a)
            d = d + abs(x[k + 2, j] - a)
            acc[j] = d + abs(x[k + 3, j] - a)
        k += 4
    while k < hi:
        for j in range(nl):
            acc[j] += abs(x[k, j] - mid[j])
        k += 1


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
    # EMA(close) and Wilder ATR advanced together in one pass (the arithmetic of ``ema_l`` and
    # ``atr_l``), without an (n_bars, n_lanes) ATR temporary.
    m, nl = c.shape
    start = max(n - 1, atr_n)
    if m <= start:
        return
    mid = np.zeros(nl)
    atr = np.zeros(nl)
    k = 2.0 / (n + 1)
    inv = 1.0 / atr_n
    for t in range(m):
        if t < n:
            for j in range(nl):
                mid[j] += c[t, j]
            if t == n - 1:
                for j in range(nl):
                    mid[j] = mid[j] / n
        else:
            for j in range(nl):
                mid[j] = ((c[t, j] - mid[j]) * k) + mid[j]
        if t == 0:
            continue
        if t <= atr_n:
            for j in range(nl):
                atr[j] += _tr(h[t, j], lo[t, j], c[t - 1, j])
            if t == atr_n:
                for j in range(nl):
                    atr[j] /= atr_n
        else:
            for j in range(nl):
                atr[j] = (atr[j] * (atr_n - 1) + _tr(h[t, j], lo[t, j], c[t - 1, j])) * inv
        if t >= start:
            for j in range(nl):
                d = mult * atr[j]
                out_up[t, j] = mid[j] + d
                out_lo[t, j] = mid[j] - d
        elif t >= n - 1:
            for j in range(nl):
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
    # Per-bar terms, buying pressure a = close - true low and true range b, kept in rings of
    # the last ``start`` bars (bar t in row t % start): every window reaches back < start bars.
    a = np.empty((start, nl))
    b = np.empty((start, nl))
    for t in range(1, start):
        _ultosc_terms(h, lo, c, t, a[t], b[t])
    tot = np.zeros((6, nl))
    for k, p in enumerate((p1, p2, p3)):
        for t in range(start - p + 1, start):
            for j in range(nl):
                tot[2 * k, j] += a[t, j]
                tot[2 * k + 1, j] += b[t, j]
    for t in range(start, m):
        r = t % start
        _ultosc_terms(h, lo, c, t, a[r], b[r])
        r1 = (t - p1 + 1) % start
        r2 = (t - p2 + 1) % start
        r3 = (t - p3 + 1) % start
        for j in range(nl):
            a1 = tot[0, j] + a[r, j]
            b1 = tot[1, j] + b[r, j]
            a2 = tot[2, j] + a[r, j]
            b2 = tot[3, j] + b[r, j]
            a3 = tot[4, j] + a[r, j]
            b3 = tot[5, j] + b[r, j]
            s = 0.0
            if abs(b1) >= EPS:
                s += 4.0 * (a1 / b1)
            if abs(b2) >= EPS:
                s += 2.0 * (a2 / b2)
            if abs(b3) >= EPS:
                s += a3 / b3
            tot[0, j] = a1 - a[r1, j]
            tot[1, j] = b1 - b[r1, j]
            tot[2, j] = a2 - a[r2, j]
            tot[3, j] = b2 - b[r2, j]
            tot[4, j] = a3 - a[r3, j]
            tot[5, j] = b3 - b[r3, j]
            out[t, j] = s * (100.0 / 7.0)


@njit(cache=True, error_model="numpy")
def _ultosc_terms(h, lo, c, t, a_row, b_row):  # type: ignore[no-untyped-def]
    for j in range(a_row.shape[0]):
        y = c[t - 1, j]
        low = lo[t, j]
        a_row[j] = c[t, j] - (min(y, low))
        b_row[j] = _tr(h[t, j], low, y)


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
