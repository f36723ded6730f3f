"""Lane kernels (panel fast path) for volume indicators: OBV, AD, ADOSC, MFI, VWAP.

Wide ``(n_bars, n_lanes)`` NaN-free inputs; each lane repeats the scalar kernel's arithmetic.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_volume import THIRD


@njit(cache=True, error_model="numpy")
def obv_l(c, v, out):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    if m == 0:
        return
    obv = v[0].copy()
    for j in range(nl):
        out[0, j] = obv[j]
    for t in range(1, m):
        for j in range(nl):
            x = c[t, j]
            p = c[t - 1, j]
            o = obv[j]
            o = o + v[t, j] if x > p else o
            o = o - v[t, j] if x < p else o
            obv[j] = o
            out[t, j] = o


@njit(cache=True, error_model="numpy")
def ad_l(h, lo, c, v, out):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    ad = np.zeros(nl)
    for t in range(m):
        _ad_step(h, lo, c, v, t, ad)
        for j in range(nl):
            out[t, j] = ad[j]


@njit(cache=True, error_model="numpy")
def adosc_l(h, lo, c, v, fast, slow, out):  # type: ignore[no-untyped-def]
    # The A/D line is advanced in the same pass as its two EMAs (no A/D temporary).
    m, nl = c.shape
    start = max(fast, slow) - 1
    if m <= start:
        return
    kf = 2.0 / (fast + 1)
    ks = 2.0 / (slow + 1)
    ad = np.zeros(nl)
    _ad_step(h, lo, c, v, 0, ad)
    ef = ad.copy()
    es = ad.copy()
    for t in range(1, m):
        _ad_step(h, lo, c, v, t, ad)
        for j in range(nl):
            a = ad[j]
            f = (kf * a) + ((1.0 - kf) * ef[j])
            s = (ks * a) + ((1.0 - ks) * es[j])
            ef[j] = f
            es[j] = s
            if t >= start:
                out[t, j] = f - s


@njit(cache=True, error_model="numpy")
def _ad_step(h, lo, c, v, t, ad):  # type: ignore[no-untyped-def]
    # One bar of ``ad_l`` on the running A/D values ``ad``.
    for j in range(ad.shape[0]):
        rng = h[t, j] - lo[t, j]
        step = (((c[t, j] - lo[t, j]) - (h[t, j] - c[t, j])) / rng) * v[t, j]
        ad[j] = ad[j] + step if rng > 0.0 else ad[j]


@njit(cache=True, error_model="numpy")
def mfi_l(h, lo, c, v, n, out):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    if m <= n:
        return
    pos = np.zeros((n, nl))  # circular buffers of the last n flows
    neg = np.zeros((n, nl))
    ps = np.zeros(nl)
    ns = np.zeros(nl)
    prev = np.empty(nl)
    for j in range(nl):
        prev[j] = (h[0, j] + lo[0, j] + c[0, j]) / 3.0
    for t in range(1, m):
        slot = t % n
        for j in range(nl):
            tp = (h[t, j] + lo[t, j] + c[t, j]) / 3.0
            d = tp - prev[j]
            prev[j] = tp
            flow = tp * v[t, j]
            p = ps[j] - pos[slot, j] if t > n else ps[j]
            q = ns[j] - neg[slot, j] if t > n else ns[j]
            pos[slot, j] = flow if d > 0 else 0.0
            neg[slot, j] = flow if d < 0 else 0.0
            p = p + flow if d > 0 else p
            q = q + flow if d < 0 else q
            ps[j] = p
            ns[j] = q
            if t >= n:
                s = p + q
                out[t, j] = 0.0 if s < 1.0 else 100.0 * (p / s)


@njit(cache=True, error_model="numpy")
def _kahan(s, comp, x):  # type: ignore[no-untyped-def]
    y = x - comp
    t = s + y
    return t, (t - s) - y


@njit(cache=True, error_model="numpy")
def vwap_l(h, lo, c, v, n, out):  # type: ignore[no-untyped-def]
    m, nl = c.shape
    if m < n:
        return
    st = np.zeros((5, nl))  # sum(tp*v), its compensation, sum(v), its compensation, nonzero count
    # Bars split by phase (filling the first window / full windows) so that each lane loop has
    # no branch on t: a loop with a conditional store or subtraction did not vectorise.
    for t in range(n):
        _vwap_add(h, lo, c, v, t, st)
    for j in range(nl):
        out[n - 1, j] = st[0, j] / st[2, j] if st[4, j] > 0.0 else np.nan
    for t in range(n, m):
        k = t - n
        for j in range(nl):
            spv, cpv = _kahan(st[0, j], st[1, j], (h[t, j] + lo[t, j] + c[t, j]) * THIRD * v[t, j])
            sv, cv = _kahan(st[2, j], st[3, j], v[t, j])
            nz = st[4, j] + (1.0 if v[t, j] != 0.0 else 0.0)
            x = -((h[k, j] + lo[k, j] + c[k, j]) * THIRD * v[k, j])
            spv, cpv = _kahan(spv, cpv, x)
            sv, cv = _kahan(sv, cv, -v[k, j])
            nz -= 1.0 if v[k, j] != 0.0 else 0.0
            st[0, j] = spv
            st[1, j] = cpv
            st[2, j] = sv
            st[3, j] = cv
            st[4, j] = nz
            out[t, j] = spv / sv if nz > 0.0 else np.nan


@njit(cache=True, error_model="numpy")
def _vwap_add(h, lo, c, v, t, st):  # type: ignore[no-untyped-def]
    for j in range(st.shape[1]):
        spv, cpv = _kahan(st[0, j], st[1, j], (h[t, j] + lo[t, j] + c[t, j]) * THIRD * v[t, j])
        sv, cv = _kahan(st[2, j], st[3, j], v[t, j])
        st[0, j] = spv
        st[1, j] = cpv
        st[2, j] = sv
        st[3, j] = cv
        st[4, j] = st[4, j] + (1.0 if v[t, j] != 0.0 else 0.0)
