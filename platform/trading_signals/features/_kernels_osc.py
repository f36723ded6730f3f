"""Numba kernels: oscillators (RSI, STOCH, WILLR, CCI, ROC, MOM, ULTOSC, AROON).

Every kernel works on one NaN-free segment and writes into preallocated, NaN-filled outputs.
Arithmetic order and zero checks mirror TA-Lib's C code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_ma import EPS

_FAR = 1e18  # an index offset beyond any series: the candidate loses every min()


@njit(cache=True, error_model="numpy")
def rsi_increments(x, ginc, linc):  # type: ignore[no-untyped-def]
    # Per-bar gain/loss increments in a vectorised pass (blends; scalar selects on a random
    # sign compiled to mispredicting branches). gain/loss start at +0.0 and never become -0.0,
    # so adding a 0.0 increment equals TA-Lib's skipped add; loss + (-d) equals loss - d.
    for i in range(1, x.shape[0]):
        d = x[i] - x[i - 1]
        neg = d < 0
        linc[i] = -d if neg else 0.0
        ginc[i] = 0.0 if neg else d


@njit(cache=True, error_model="numpy")
def rsi_step(t, n, inv, gi, li, gain, loss):  # type: ignore[no-untyped-def]
    # Bar t >= 1: sums until the SMA seed at t = n, Wilder smoothing by a reciprocal after
    # (the division chain was the bottleneck). Returns the state and the RSI (valid from n).
    if t <= n:
        loss = loss + li
        gain = gain + gi
        if t == n:
            loss /= n
            gain /= n
    else:
        loss *= n - 1
        gain *= n - 1
        loss = loss + li
        gain = gain + gi
        loss *= inv
        gain *= inv
    s = gain + loss
    return gain, loss, 100.0 * (gain / s) if abs(s) >= EPS else 0.0


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
def _fast_k(hh, ll, c, out):  # type: ignore[no-untyped-def]
    for t in range(out.shape[0]):  # from 0: vectorises (see _roc)
        diff = (hh[t] - ll[t]) * 0.01
        out[t] = (c[t] - ll[t]) / diff if diff != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def stoch_into(h, lo, c, fastk, slowk, slowd, out_k, out_d):  # type: ignore[no-untyped-def]
    # Fast %K, then SMA_slowk of it and SMA_slowd of that, streamed in one loop (the two
    # running-sum chains overlap); each SMA keeps sma_head's exact arithmetic.
    m = c.shape[0]
    if m < fastk + slowk + slowd - 2:
        return
    hh = np.empty(m)
    ll = np.empty(m)
    rolling_max_min_into(h, lo, fastk, hh, ll)
    f0 = fastk - 1
    kf = np.empty(m)
    _fast_k(hh[f0:], ll[f0:], c[f0:], kf[f0:])
    inv_k = 1.0 / slowk
    inv_d = 1.0 / slowd
    tk = 0.0
    for t in range(f0, f0 + slowk - 1):
        tk += kf[t]
    k0 = f0 + slowk - 1  # first slow %K
    ks = hh  # reuse: slow %K from bar k0 on
    td = 0.0
    for t in range(k0, k0 + slowd - 1):
        tk += kf[t]
        tmp = tk
        tk -= kf[t - slowk + 1]
        ks[t] = tmp * inv_k
        td += ks[t]
    for t in range(k0 + slowd - 1, m):
        tk += kf[t]
        tmp = tk
        tk -= kf[t - slowk + 1]
        k = tmp * inv_k
        ks[t] = k
        td += k
        tmp = td
        td -= ks[t - slowd + 1]
        out_k[t] = k
        out_d[t] = tmp * inv_d


@njit(cache=True, error_model="numpy")
def willr_into(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    m = c.shape[0]
    if m < n:
        return
    hh = np.empty(m)  # written and read from bar n-1 on only
    ll = np.empty(m)
    rolling_max_min_into(h, lo, n, hh, ll)
    _willr(hh[n - 1 :], ll[n - 1 :], c[n - 1 :], out[n - 1 :])


@njit(cache=True, error_model="numpy")
def _willr(hh, ll, c, out):  # type: ignore[no-untyped-def]
    for t in range(out.shape[0]):  # from 0: vectorises (see _roc)
        diff = (hh[t] - ll[t]) * -0.01
        out[t] = (hh[t] - c[t]) / diff if diff != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _cci_slot_r(tb, r, n, pre, acc, dev):  # type: ignore[no-untyped-def]
    # Mean (into acc) and mean deviation (dev) of bar k*n + r for every block k >= 1 (and k = 0
    # when r = n-1). Its slots hold, in slot order, block k's values 0..r, then block k-1's
    # values r+1..n-1; vectors run across blocks, so no select is needed.
    nb = tb.shape[1]
    for k in range(nb):
        acc[k] = pre[k]
    for j in range(r + 1, n):
        for k in range(1, nb):
            acc[k] += tb[j, k - 1]
    for k in range(nb):
        acc[k] /= n
        dev[k] = 0.0
    for j in range(0, r, 2):  # two slots per sweep (same add order), fewer loads/stores
        for k in range(nb):
            d = dev[k] + abs(tb[j, k] - acc[k])
            dev[k] = d + abs(tb[j + 1, k] - acc[k])
    if r % 2 == 0:
        for k in range(nb):
            dev[k] += abs(tb[r, k] - acc[k])
    for j in range(r + 1, n):
        for k in range(1, nb):
            dev[k] += abs(tb[j, k - 1] - acc[k])


@njit(cache=True, error_model="numpy")
def cci_into(h, lo, c, n, out):  # type: ignore[no-untyped-def]
    # TA-Lib sums its circular buffer in slot order (bar i sits in slot i % n); we keep that
    # order for exact parity. Bar t = k*n + r sees block k's bars up to t, then block k-1's
    # tail, so with the typical prices laid out as tb[r, k] = tp[k*n + r] all bars of one r
    # share every loop bound: each runs its own 2n-add chain, but as one SIMD lane of long
    # vectors across blocks instead of a latency-bound scalar chain.
    m = c.shape[0]
    if m < n:
        return
    nb = (m + n - 1) // n
    tb = np.zeros((n, nb))
    for k in range(nb):
        b = k * n
        for r in range(min(n, m - b)):
            t = b + r
            tb[r, k] = (h[t] + lo[t] + c[t]) / 3.0
    pre = np.zeros(nb)  # running sum of each block, started from 0.0 as TA-Lib's is
    acc = np.empty(nb)
    dev = np.empty(nb)
    for r in range(n):
        for k in range(nb):
            pre[k] += tb[r, k]
        _cci_slot_r(tb, r, n, pre, acc, dev)
        for k in range(nb):  # contiguous, so the divisions vectorise; scattered below
            diff = tb[r, k] - acc[k]
            d = dev[k]
            acc[k] = diff / (0.015 * (d / n)) if (diff != 0.0 and d != 0.0) else 0.0
        for k in range(0 if r == n - 1 else 1, (m - 1 - r) // n + 1):
            out[k * n + r] = acc[k]


@njit(cache=True, error_model="numpy")
def roc_into(x, n, out):  # type: ignore[no-untyped-def]
    if n < x.shape[0]:
        _roc(x[n:], x[: x.shape[0] - n], out[n:])


@njit(cache=True, error_model="numpy")
def _roc(cur, old, out):  # type: ignore[no-untyped-def]
    # Indexed from 0 (slices) so numba's negative-index wraparound folds away: vectorises.
    for t in range(out.shape[0]):
        prev = old[t]
        out[t] = ((cur[t] / prev) - 1.0) * 100.0 if prev != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def mom_into(x, n, out):  # type: ignore[no-untyped-def]
    if n < x.shape[0]:
        _mom(x[n:], x[: x.shape[0] - n], out[n:])


@njit(cache=True, error_model="numpy")
def _mom(cur, old, out):  # type: ignore[no-untyped-def]
    for t in range(out.shape[0]):
        out[t] = cur[t] - old[t]


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
    # The six running sums per bar first, then the divisions in a separate, vectorised pass:
    # three scalar divisions per bar were the bottleneck.
    sums = np.empty((6, m))
    for t in range(start, m):
        a = ta[t]
        b = tb[t]
        a1 += a
        a2 += a
        a3 += a
        b1 += b
        b2 += b
        b3 += b
        sums[0, t] = a1
        sums[1, t] = b1
        sums[2, t] = a2
        sums[3, t] = b2
        sums[4, t] = a3
        sums[5, t] = b3
        a1 -= ta[t - p1 + 1]
        b1 -= tb[t - p1 + 1]
        a2 -= ta[t - p2 + 1]
        b2 -= tb[t - p2 + 1]
        a3 -= ta[t - p3 + 1]
        b3 -= tb[t - p3 + 1]
    _ultosc_ratios(sums[0, start:], sums[1, start:], sums[2, start:], sums[3, start:],
                   sums[4, start:], sums[5, start:], out[start:])  # fmt: skip


@njit(cache=True, error_model="numpy")
def _ultosc_ratios(a1, b1, a2, b2, a3, b3, out):  # type: ignore[no-untyped-def]
    # Indexed from 0 so numba's negative-index wraparound folds away and the loop vectorises.
    for t in range(out.shape[0]):
        s = 0.0
        s = s + 4.0 * (a1[t] / b1[t]) if abs(b1[t]) >= EPS else s
        s = s + 2.0 * (a2[t] / b2[t]) if abs(b2[t]) >= EPS else s
        s = s + a3[t] / b3[t] if abs(b3[t]) >= EPS else s
        out[t] = s * (100.0 / 7.0)


@njit(cache=True, error_model="numpy")
def _suffix_arg_extremes(h, lo, b0, w, smax, smin, sih, sil):  # type: ignore[no-untyped-def]
    # Suffix max/min of the block [b0, b0+w) and the (float) index of their most recent
    # occurrence. Strict compares: on a tie the later bar wins. Indices are picked by min/max
    # of candidates (exact small integers as floats), not selects: LLVM turns those selects
    # into branches, which mispredict on random walks.
    smax[w - 1] = h[b0 + w - 1]
    smin[w - 1] = lo[b0 + w - 1]
    sih[w - 1] = b0 + w - 1
    sil[w - 1] = b0 + w - 1
    for k in range(w - 2, -1, -1):
        x = h[b0 + k]
        sih[k] = min(sih[k + 1], (b0 + k) + (0.0 if x > smax[k + 1] else _FAR))
        smax[k] = max(x, smax[k + 1])
        x = lo[b0 + k]
        sil[k] = min(sil[k + 1], (b0 + k) + (0.0 if x < smin[k + 1] else _FAR))
        smin[k] = min(x, smin[k + 1])


@njit(cache=True, error_model="numpy")
def aroon_into(h, lo, n, out_up, out_down):  # type: ignore[no-untyped-def]
    # Window of w = n+1 bars; the extreme's most recent occurrence counts, as in TA-Lib (whose
    # rescan-on-expiry finds exactly that bar). van Herk / Gil-Werman with indices: a window
    # is a suffix of the previous w-bar block plus a prefix of the current one, and on a tie
    # the prefix (the later bars) wins. Branch-free, unlike TA-Lib's rescans.
    m = h.shape[0]
    w = n + 1
    if m < w:
        return
    factor = 100.0 / n
    smax = np.empty(w)
    smin = np.empty(w)
    sih = np.empty(w)
    sil = np.empty(w)
    for b0 in range(0, m, w):
        if b0 >= w:
            _suffix_arg_extremes(h, lo, b0 - w, w, smax, smin, sih, sil)
        pmax = h[b0]
        pmin = lo[b0]
        pih = pil = float(b0)
        for t in range(b0, min(b0 + w, m)):
            x = h[t]
            pih = max(pih, t * (1.0 if x >= pmax else 0.0))  # only the index matters: +-0
            pmax = max(x, pmax)  # compare equal, so the sign max picks is irrelevant
            x = lo[t]
            pil = max(pil, t * (1.0 if x <= pmin else 0.0))
            pmin = min(x, pmin)
            if t < n:
                continue
            hidx = pih
            lidx = pil
            r = t - b0
            if r != w - 1:  # prefix indices exceed suffix ones: max() picks the prefix's
                hidx = max(sih[r + 1], pih * (1.0 if pmax >= smax[r + 1] else 0.0))
                lidx = max(sil[r + 1], pil * (1.0 if pmin <= smin[r + 1] else 0.0))
            out_up[t] = factor * (n - (t - hidx))
            out_down[t] = factor * (n - (t - lidx))
