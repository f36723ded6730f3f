"""Numba kernels: trend (ADX with +DI/-DI, parabolic SAR).

Every kernel works on one NaN-free segment and writes into preallocated, NaN-filled outputs.
Arithmetic order mirrors TA-Lib's C code.
"""

from __future__ import annotations

from numba import njit

from trading_signals.features._kernels_ma import EPS
from trading_signals.features._kernels_vol import true_range


@njit(cache=True, error_model="numpy")
def _dm(hi, low, prev_hi, prev_low):  # type: ignore[no-untyped-def]
    diff_p = hi - prev_hi
    diff_m = prev_low - low
    # Non-short-circuit & so the compiler can use selects instead of unpredictable branches.
    plus = diff_p if ((diff_p > 0) & (diff_p > diff_m)) else 0.0
    minus = diff_m if ((diff_m > 0) & (diff_m > diff_p)) else 0.0
    return plus, minus


@njit(cache=True, error_model="numpy")
def dm_tr(h, lo, c, pdm, mdm, tr):  # type: ignore[no-untyped-def]
    # Per-bar +DM, -DM and true range in one vectorised pass (the selects become blends).
    for t in range(1, c.shape[0]):
        pdm[t], mdm[t] = _dm(h[t], lo[t], h[t - 1], lo[t - 1])
        tr[t] = true_range(h[t], lo[t], c[t - 1])


@njit(cache=True, error_model="numpy")
def adx_step(t, n, inv, p, q, trt, pdm, mdm, tr, sum_dx, adx):  # type: ignore[no-untyped-def]
    # One Wilder step at bar t >= n (scalars in and out: array arguments to a per-bar helper
    # cost NRT refcounting). Returns the state and +DI, -DI; ADX is valid from t = 2n - 1.
    pdm = pdm - (pdm * inv) + p
    mdm = mdm - (mdm * inv) + q
    tr = tr - (tr * inv) + trt
    dx = -1.0
    if abs(tr) >= EPS:
        pdi = 100.0 * (pdm / tr)
        mdi = 100.0 * (mdm / tr)
        s = pdi + mdi
        if abs(s) >= EPS:
            dx = 100.0 * (abs(mdi - pdi) / s)
    else:
        pdi = 0.0
        mdi = 0.0
    if t < 2 * n - 1:
        if dx >= 0.0:
            sum_dx += dx
    elif t == 2 * n - 1:
        if dx >= 0.0:
            sum_dx += dx
        adx = sum_dx / n
    else:
        if dx >= 0.0:
            adx = ((adx * (n - 1)) + dx) * inv
    return pdm, mdm, tr, sum_dx, adx, pdi, mdi


@njit(cache=True, error_model="numpy")
def sar_init(h, lo, accel, maximum):  # type: ignore[no-untyped-def]
    # TA-Lib's SAR start from bars 0 and 1: returns accel (capped), direction, af, ep, sar.
    af = accel
    if af > maximum:
        af = accel = maximum
    diff_p = h[1] - h[0]
    diff_m = lo[0] - lo[1]
    is_long = not (diff_m > 0 and diff_p < diff_m)
    ep = h[1] if is_long else lo[1]
    sar = lo[0] if is_long else h[0]
    return accel, is_long, af, ep, sar


@njit(cache=True, error_model="numpy")
def sar_step(accel, maximum, is_long, af, ep, sar, pl, ph, nl, nh):  # type: ignore[no-untyped-def]
    # One SAR update from the previous (pl, ph) and new (nl, nh) low/high; returns the state
    # and the bar's output.
    if is_long:
        if nl <= sar:
            is_long = False
            sar = max(ep, ph, nh)
            val = sar
            af = accel
            ep = nl
            sar = sar + af * (ep - sar)
            sar = max(sar, ph, nh)
        else:
            val = sar
            if nh > ep:
                ep = nh
                af += accel
                af = min(af, maximum)
            sar = sar + af * (ep - sar)
            sar = min(sar, pl, nl)
    else:
        if nh >= sar:
            is_long = True
            sar = min(ep, pl, nl)
            val = sar
            af = accel
            ep = nh
            sar = sar + af * (ep - sar)
            sar = min(sar, pl, nl)
        else:
            val = sar
            if nl < ep:
                ep = nl
                af += accel
                af = min(af, maximum)
            sar = sar + af * (ep - sar)
            sar = max(sar, ph, nh)
    return is_long, af, ep, sar, val
