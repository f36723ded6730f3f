"""Lane kernels (panel fast path): streaming window extremes (Donchian, WILLR, STOCH, AROON).

van Herk / Gil-Werman over blocks of ``w`` bars: a window ``[t-w+1, t]`` that is not block-aligned
is the union of a suffix of the previous block and a prefix of the current one, so its extreme is
``max(suffix[s0], prefix[t])``: O(1) per bar, exact and branch-free across lanes. Streaming form:
the prefix is one running row and the previous block's suffixes a ``(w, n_lanes)`` buffer rebuilt
at each block start, so the working set stays in L1/L2 instead of two ``(n_bars, n_lanes)``
temporaries per pass (the earlier three-pass form was bound by memory traffic, not arithmetic).
Results are bit-identical to the three-pass form (max/min are exact; ties as documented below).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _suffix_max_min(hi, lo, b0, w, smax, smin):  # type: ignore[no-untyped-def]
    # Suffix max(hi) / min(lo) of the complete block [b0, b0 + w).
    nl = hi.shape[1]
    for j in range(nl):
        smax[w - 1, j] = hi[b0 + w - 1, j]
        smin[w - 1, j] = lo[b0 + w - 1, j]
    for r in range(w - 2, -1, -1):
        for j in range(nl):
            smax[r, j] = max(hi[b0 + r, j], smax[r + 1, j])
            smin[r, j] = min(lo[b0 + r, j], smin[r + 1, j])


@njit(cache=True, error_model="numpy")
def window_max_min_l(hi, lo, w, out_max, out_min):  # type: ignore[no-untyped-def]
    # Rolling max(hi) / min(lo) over w bars including the current one; NaN before bar w-1.
    window_rows_l(hi, lo, hi, w, 0, out_max, out_min)


@njit(cache=True, error_model="numpy")
def window_rows_l(hi, lo, c, w, kind, out_a, out_b):  # type: ignore[no-untyped-def]
    # Rolling max(hi) / min(lo) over w bars, consumed row by row as soon as known: kind 0 writes
    # both extremes (Donchian), 1 Williams %R and 2 the raw fast %K into out_a (from bar w-1).
    # Fusing the consumer saves two (n_bars, n_lanes) temporaries and a pass over them.
    m, nl = hi.shape
    if m < w:
        return
    pmax = np.empty(nl)
    pmin = np.empty(nl)
    # Row w is a neutral suffix (-inf / +inf) for block-aligned windows, whose prefix is the
    # whole window: max(-inf, p) == p exactly, so every row takes the same branch-free path.
    smax = np.empty((w + 1, nl))
    smin = np.empty((w + 1, nl))
    smax[w] = -np.inf
    smin[w] = np.inf
    for t in range(m):
        r = t % w
        if r == 0:
            for j in range(nl):
                pmax[j] = hi[t, j]
                pmin[j] = lo[t, j]
            if t >= w:
                _suffix_max_min(hi, lo, t - w, w, smax, smin)
        else:
            for j in range(nl):
                pmax[j] = max(hi[t, j], pmax[j])
                pmin[j] = min(lo[t, j], pmin[j])
        if t < w - 1:
            if kind == 0:
                for j in range(nl):
                    out_a[t, j] = np.nan
                    out_b[t, j] = np.nan
            continue
        # window start s0 = t - w + 1 sits at row r + 1 of the previous block
        if kind == 0:
            for j in range(nl):
                out_a[t, j] = max(smax[r + 1, j], pmax[j])
                out_b[t, j] = min(smin[r + 1, j], pmin[j])
        elif kind == 1:
            for j in range(nl):
                hh = max(smax[r + 1, j], pmax[j])
                ll = min(smin[r + 1, j], pmin[j])
                diff = (hh - ll) * -0.01
                out_a[t, j] = (hh - c[t, j]) / diff if diff != 0.0 else 0.0
        else:
            for j in range(nl):
                hh = max(smax[r + 1, j], pmax[j])
                ll = min(smin[r + 1, j], pmin[j])
                diff = (hh - ll) * 0.01
                out_a[t, j] = (c[t, j] - ll) / diff if diff != 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _suffix_arg(x, sign, b0, w, sval, sidx, cur_v, cur_i):  # type: ignore[no-untyped-def]
    # Suffix maxima of sign*x over the complete block [b0, b0 + w) with the index of the LATEST
    # maximum: scanning backwards, only a strictly larger value replaces the (later) one held.
    # The running suffix lives in 1-D rows and is copied out per row: reading row r+1 of the
    # same 2-D buffer it writes stopped LLVM from vectorising the select.
    nl = x.shape[1]
    fe = float(b0 + w - 1)
    for j in range(nl):
        cur_v[j] = sign * x[b0 + w - 1, j]
        cur_i[j] = fe
    for j in range(nl):
        sval[w - 1, j] = cur_v[j]
        sidx[w - 1, j] = fe
    for r in range(w - 2, -1, -1):
        ft = float(b0 + r)  # float indices keep the selects in one vector type
        for j in range(nl):
            a = sign * x[b0 + r, j]
            q = cur_v[j]
            better = a > q
            cur_v[j] = a if better else q
            cur_i[j] = ft if better else cur_i[j]
        for j in range(nl):
            sval[r, j] = cur_v[j]
            sidx[r, j] = cur_i[j]


@njit(cache=True, error_model="numpy")
def _prefix_arg(x, sign, t, start, pv, pi):  # type: ignore[no-untyped-def]
    # Running prefix max of sign*x and the index of its LATEST occurrence (">=" keeps ties late).
    ft = float(t)
    if start:
        for j in range(pv.shape[0]):
            pv[j] = sign * x[t, j]
            pi[j] = ft
    else:
        for j in range(pv.shape[0]):
            a = sign * x[t, j]
            p = pv[j]
            better = a >= p
            pv[j] = a if better else p
            pi[j] = ft if better else pi[j]


@njit(cache=True, error_model="numpy")
def _aroon_row(pv, pi, sv, si, t, n, factor, out_row):  # type: ignore[no-untyped-def]
    # Window = suffix (sv/si, the previous block) + prefix (pv/pi); the later prefix wins ties.
    # Both indices are loaded before the select: written as ``pi[j] if ... else si[j]``, LLVM
    # turned it into a load from a selected pointer (scalar, branchy, mispredicted: 2x slower).
    for j in range(pv.shape[0]):
        a = pi[j]
        b = si[j]
        i = a if pv[j] >= sv[j] else b
        out_row[j] = factor * (n - (t - i))


@njit(cache=True, error_model="numpy")
def _aroon_side(x, n, sign, out):  # type: ignore[no-untyped-def]
    # out[t] = 100/n * (n - bars since the latest max of sign*x over the n+1 bars ending at t).
    # Ties resolve to the most recent bar, as in TA-Lib. Small helpers per row: written inline,
    # LLVM left the combine loop scalar.
    m, nl = x.shape
    w = n + 1
    factor = 100.0 / n
    pv = np.empty(nl)
    pi = np.empty(nl)
    cur_v = np.empty(nl)
    cur_i = np.empty(nl)
    sval = np.empty((w, nl))
    sidx = np.empty((w, nl))
    for t in range(m):
        r = t % w
        _prefix_arg(x, sign, t, r == 0, pv, pi)
        if r == 0 and t >= w:
            _suffix_arg(x, sign, t - w, w, sval, sidx, cur_v, cur_i)
        if t < n:
            continue
        if r == w - 1:  # block-aligned window: the prefix is the whole window
            _aroon_row(pv, pi, pv, pi, t, n, factor, out[t])
        else:  # window start t - n sits at row r + 1 of the previous block
            _aroon_row(pv, pi, sval[r + 1], sidx[r + 1], t, n, factor, out[t])


@njit(cache=True, error_model="numpy")
def aroon_l(h, lo, n, out_up, out_down):  # type: ignore[no-untyped-def]
    # Window of n+1 bars; ties resolve to the most recent bar (negating low is exact).
    if h.shape[0] <= n:
        return
    _aroon_side(h, n, 1.0, out_up)
    _aroon_side(lo, n, -1.0, out_down)
