"""Numba kernels: volume indicators (OBV, AD, ADOSC, MFI, VWAP).

Every kernel works on one NaN-free segment and writes into preallocated, NaN-filled outputs.
"""

from __future__ import annotations

import numpy as np
from numba import njit

THIRD = 1.0 / 3.0  # VWAP's typical price by a reciprocal (no branch depends on it)


@njit(cache=True, error_model="numpy")
def obv_into(c, v, out):  # type: ignore[no-untyped-def]
    m = c.shape[0]
    if m == 0:
        return
    # Pass 1 (vectorised, so the selects become blends; scalar selects on a random sign were
    # compiled to mispredicting branches): the signed volume of each bar. -0.0 is the exact
    # identity of +, so "obv + (-0.0)" equals leaving obv unchanged, and "obv + (-v)" equals
    # "obv - v". Pass 2 is then a plain running sum.
    for t in range(1, m):
        x = c[t]
        y = c[t - 1]
        vt = v[t]
        out[t] = vt if x > y else (-vt if x < y else -0.0)
    obv = v[0]
    out[0] = obv
    for t in range(1, m):
        obv = obv + out[t]
        out[t] = obv


@njit(cache=True, error_model="numpy")
def _ad_step(hi, low, close, vol, ad):  # type: ignore[no-untyped-def]
    # Scalars only: array arguments to a per-bar helper cost NRT refcounting.
    rng = hi - low
    if rng > 0.0:
        ad += (((close - low) - (hi - close)) / rng) * vol
    return ad


@njit(cache=True, error_model="numpy")
def ad_into(h, lo, c, v, out):  # type: ignore[no-untyped-def]
    ad = 0.0
    for t in range(c.shape[0]):
        ad = _ad_step(h[t], lo[t], c[t], v[t], ad)
        out[t] = ad


@njit(cache=True, error_model="numpy")
def adosc_into(h, lo, c, v, fast, slow, out):  # type: ignore[no-untyped-def]
    # TA-Lib seeds both EMAs with the first AD value (not an SMA).
    m = c.shape[0]
    start = max(fast, slow) - 1
    if m <= start:
        return
    kf = 2.0 / (fast + 1)
    ks = 2.0 / (slow + 1)
    ad = _ad_step(h[0], lo[0], c[0], v[0], 0.0)
    ef = ad
    es = ad
    for t in range(1, m):
        ad = _ad_step(h[t], lo[t], c[t], v[t], ad)
        ef = (kf * ad) + ((1.0 - kf) * ef)
        es = (ks * ad) + ((1.0 - ks) * es)
        if t >= start:
            out[t] = ef - es


@njit(cache=True, error_model="numpy")
def _mfi_flows(h, lo, c, v, pos, neg):  # type: ignore[no-untyped-def]
    # Per-bar positive/negative money flow (0.0 when the typical price did not move that way).
    # Separate vectorised passes: the selects become blends instead of mispredicting branches.
    m = c.shape[0]
    for t in range(m):
        pos[t] = (h[t] + lo[t] + c[t]) / 3.0
    for t in range(m - 1, 0, -1):
        tp = pos[t]
        d = tp - pos[t - 1]
        flow = tp * v[t]
        neg[t] = flow if d < 0 else 0.0
        pos[t] = flow if d > 0 else 0.0


@njit(cache=True, error_model="numpy")
def mfi_into(h, lo, c, v, n, out):  # type: ignore[no-untyped-def]
    # TA-Lib's MFI returns 0 when the window's total money flow is below 1.0. The running sums
    # start at +0.0 and so can never become -0.0: adding a 0.0 flow leaves them unchanged,
    # exactly like TA-Lib's skipped add.
    m = c.shape[0]
    if m <= n:
        return
    pos = np.empty(m)
    neg = np.empty(m)
    _mfi_flows(h, lo, c, v, pos, neg)
    pos_sum = 0.0
    neg_sum = 0.0
    for t in range(1, n + 1):
        neg_sum = neg_sum + neg[t]
        pos_sum = pos_sum + pos[t]
    s = pos_sum + neg_sum
    out[n] = 0.0 if s < 1.0 else 100.0 * (pos_sum / s)
    for t in range(n + 1, m):
        pos_sum -= pos[t - n]
        neg_sum -= neg[t - n]
        neg_sum = neg_sum + neg[t]
        pos_sum = pos_sum + pos[t]
        s = pos_sum + neg_sum
        out[t] = 0.0 if s < 1.0 else 100.0 * (pos_sum / s)


@njit(cache=True, error_model="numpy")
def kahan_add(x, s, comp):  # type: ignore[no-untyped-def]
    y = x - comp
    total = s + y
    return total, (total - s) - y


@njit(cache=True, error_model="numpy")
def vwap_add(x, vol, spv, cpv, sv, cv, nz):  # type: ignore[no-untyped-def]
    # One bar entering (x = tp * v, vol) or leaving (-x, -vol) the window's Kahan sums; nz
    # counts non-zero volumes so "no volume in the window -> NaN" is exact.
    spv, cpv = kahan_add(x, spv, cpv)
    sv, cv = kahan_add(vol, sv, cv)
    return spv, cpv, sv, cv, nz + (1 if vol != 0.0 else 0)


@njit(cache=True, error_model="numpy")
def vwap_into(h, lo, c, v, n, out):  # type: ignore[no-untyped-def]
    # Rolling sum(tp*v)/sum(v) with Kahan-compensated running sums (as pandas' rolling sum).
    m = c.shape[0]
    if m < n:
        return
    spv = cpv = sv = cv = 0.0
    nz = 0
    for t in range(m):
        x = (h[t] + lo[t] + c[t]) * THIRD * v[t]
        spv, cpv, sv, cv, nz = vwap_add(x, v[t], spv, cpv, sv, cv, nz)
        if t >= n:
            j = t - n
            x = -((h[j] + lo[j] + c[j]) * THIRD * v[j])
            spv, cpv, sv, cv, gone = vwap_add(x, -v[j], spv, cpv, sv, cv, 0)
            nz -= gone
        if t >= n - 1:
            out[t] = spv / sv if nz > 0 else np.nan
