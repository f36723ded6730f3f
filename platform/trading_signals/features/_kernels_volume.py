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
    obv = v[0]
    prev = c[0]
    for t in range(m):
        x = c[t]
        # Selects, not branches: up/down closes are unpredictable.
        obv = obv + v[t] if x > prev else obv
        obv = obv - v[t] if x < prev else obv
        out[t] = obv
        prev = x


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
def mfi_into(h, lo, c, v, n, out):  # type: ignore[no-untyped-def]
    # TA-Lib's MFI returns 0 when the window's total money flow is below 1.0.
    m = c.shape[0]
    if m <= n:
        return
    pos = np.zeros(n)
    neg = np.zeros(n)
    idx = 0
    pos_sum = 0.0
    neg_sum = 0.0
    prev = (h[0] + lo[0] + c[0]) / 3.0
    for t in range(1, m):
        if t > n:
            pos_sum -= pos[idx]
            neg_sum -= neg[idx]
        tp = (h[t] + lo[t] + c[t]) / 3.0
        d = tp - prev
        prev = tp
        flow = tp * v[t]
        # Selects, not branches: the direction of the typical price is unpredictable.
        down = d < 0
        up = d > 0
        neg[idx] = flow if down else 0.0
        pos[idx] = flow if up else 0.0
        neg_sum = neg_sum + flow if down else neg_sum
        pos_sum = pos_sum + flow if up else pos_sum
        if t >= n:
            s = pos_sum + neg_sum
            out[t] = 0.0 if s < 1.0 else 100.0 * (pos_sum / s)
        idx += 1
        if idx == n:
            idx = 0


@njit(cache=True, error_model="numpy")
def vwap_into(h, lo, c, v, n, out):  # type: ignore[no-untyped-def]
    # Rolling sum(tp*v)/sum(v) with Kahan-compensated running sums (as pandas' rolling sum);
    # a count of non-zero volumes makes the "no volume in window -> NaN" test exact.
    m = c.shape[0]
    if m < n:
        return
    spv = 0.0
    cpv = 0.0
    sv = 0.0
    cv = 0.0
    nz = 0
    for t in range(m):
        x = (h[t] + lo[t] + c[t]) * THIRD * v[t]
        y = x - cpv
        s = spv + y
        cpv = (s - spv) - y
        spv = s
        y = v[t] - cv
        s = sv + y
        cv = (s - sv) - y
        sv = s
        if v[t] != 0.0:
            nz += 1
        if t >= n:
            j = t - n
            x = -((h[j] + lo[j] + c[j]) * THIRD * v[j])
            y = x - cpv
            s = spv + y
            cpv = (s - spv) - y
            spv = s
            y = -v[j] - cv
            s = sv + y
            cv = (s - sv) - y
            sv = s
            if v[j] != 0.0:
                nz -= 1
        if t >= n - 1:
            out[t] = spv / sv if nz > 0 else np.nan
