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


# TA-Lib's TA_EPSILON: the relative dead-zone of MFI's "did the typical price move" test.
TA_EPSILON = 1e-14


@njit(cache=True, error_model="numpy")
def _mfi_flows(h, lo, c, v, pos, neg):  # type: ignore[no-untyped-def]
    # Per-bar positive/negative money flow, as TA-Lib >= 0.7 classifies it (ta_MFI.c, issue
    # #107): a bar's typical price "did not move" when |tp - prev| <= 1e-14 * (|tp| + |prev|)
    # (TA_IS_ZERO_SCALED, multiply-compare form), so a last-bit difference of two 5-decimal FX
    # quotes is no flow, not a spurious up/down move. Separate vectorised passes: the selects
    # become blends instead of mispredicting branches.
    m = c.shape[0]
    for t in range(m):
        pos[t] = (h[t] + lo[t] + c[t]) / 3.0
    for t in range(m - 1, 0, -1):
        tp = pos[t]
        prev = pos[t - 1]
        d = tp - prev
        scale = abs(tp) + abs(prev)
        flow = 0.0 if abs(d) <= TA_EPSILON * scale else tp * v[t]
        neg[t] = flow if d < 0.0 else 0.0
        pos[t] = 0.0 if d < 0.0 else flow


@njit(cache=True, error_model="numpy")
def _mfi_value(pos_sum, neg_sum):  # type: ignore[no-untyped-def]
    # TA-Lib: 0 for an empty window (total <= 0), else 100 * pos / total with pos clamped into
    # [0, total] (the running sums drift by a few ulps and may cross zero).
    total = pos_sum + neg_sum
    pc = 0.0 if pos_sum < 0.0 else (total if pos_sum > total else pos_sum)
    return 0.0 if total <= 0.0 else 100.0 * (pc / total)


@njit(cache=True, error_model="numpy")
def mfi_into(h, lo, c, v, n, out):  # type: ignore[no-untyped-def]
    # TA-Lib's MFI (ta_MFI.c): running sums updated subtract-then-add; ``run`` counts the
    # consecutive bars without money flow, and once a whole window has none both sums are
    # reset to exactly 0 (dropping add/subtract residue), so the empty window reads 0.
    m = c.shape[0]
    if m <= n:
        return
    pos = np.empty(m)
    neg = np.empty(m)
    _mfi_flows(h, lo, c, v, pos, neg)
    pos_sum = 0.0
    neg_sum = 0.0
    run = 0
    for t in range(1, m):
        if t > n:
            pos_sum -= pos[t - n]
            neg_sum -= neg[t - n]
        p = pos[t]
        q = neg[t]
        pos_sum += p
        neg_sum += q
        run = run + 1 if p + q == 0.0 else 0
        if run >= n:
            run = n
            pos_sum = 0.0
            neg_sum = 0.0
        if t >= n:
            out[t] = _mfi_value(pos_sum, neg_sum)


@njit(cache=True, error_model="numpy")
def kahan_add(x, s, comp):  # type: ignore[no-untyped-def]
    y = x - comp
    total = s + y
    return total, (total - s) - y


@njit(
    "Tuple((float64, float64, float64, float64, int64))"
    "(float64, float64, float64, float64, float64, float64, int64)",
    cache=True,
    error_model="numpy",
)
def vwap_add(x, vol, spv, cpv, sv, cv, nz):  # type: ignore[no-untyped-def]
    # One bar entering (x = tp * v, vol) or leaving (-x, -vol) the window's Kahan sums; nz
    # counts non-zero volumes so "no volume in the window -> NaN" is exact.
    spv, cpv = kahan_add(x, spv, cpv)
    sv, cv = kahan_add(vol, sv, cv)
    return spv, cpv, sv, cv, nz + (1 if vol != 0.0 else 0)
