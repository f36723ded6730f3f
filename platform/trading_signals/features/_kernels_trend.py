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
def adx_into(h, lo, c, n, out_adx, out_pdi, out_mdi):  # type: ignore[no-untyped-def]
    # One pass gives TA-Lib's PLUS_DI/MINUS_DI (from bar n) and ADX (from bar 2n-1).
    m = c.shape[0]
    if m <= n:
        return
    pdm = 0.0
    mdm = 0.0
    tr = 0.0
    for t in range(1, n):
        p, q = _dm(h[t], lo[t], h[t - 1], lo[t - 1])
        pdm += p
        mdm += q
        tr += true_range(h[t], lo[t], c[t - 1])
    sum_dx = 0.0
    adx = 0.0
    inv = 1.0 / n  # Wilder smoothing by a reciprocal: the division chains were the bottleneck
    for t in range(n, m):
        p, q = _dm(h[t], lo[t], h[t - 1], lo[t - 1])
        pdm = pdm - (pdm * inv) + p
        mdm = mdm - (mdm * inv) + q
        tr = tr - (tr * inv) + true_range(h[t], lo[t], c[t - 1])
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
        out_pdi[t] = pdi
        out_mdi[t] = mdi
        if t < 2 * n - 1:
            if dx >= 0.0:
                sum_dx += dx
        elif t == 2 * n - 1:
            if dx >= 0.0:
                sum_dx += dx
            adx = sum_dx / n
            out_adx[t] = adx
        else:
            if dx >= 0.0:
                adx = ((adx * (n - 1)) + dx) * inv
            out_adx[t] = adx


@njit(cache=True, error_model="numpy")
def sar_into(h, lo, accel, maximum, out):  # type: ignore[no-untyped-def]
    m = h.shape[0]
    if m < 2:
        return
    af = accel
    if af > maximum:
        af = accel = maximum
    diff_p = h[1] - h[0]
    diff_m = lo[0] - lo[1]
    is_long = not (diff_m > 0 and diff_p < diff_m)
    if is_long:
        ep = h[1]
        sar = lo[0]
    else:
        ep = lo[1]
        sar = h[0]
    new_low = lo[1]
    new_high = h[1]
    for t in range(1, m):
        prev_low = new_low
        prev_high = new_high
        new_low = lo[t]
        new_high = h[t]
        if is_long:
            if new_low <= sar:
                is_long = False
                sar = ep
                sar = max(sar, prev_high, new_high)
                out[t] = sar
                af = accel
                ep = new_low
                sar = sar + af * (ep - sar)
                sar = max(sar, prev_high, new_high)
            else:
                out[t] = sar
                if new_high > ep:
                    ep = new_high
                    af += accel
                    af = min(af, maximum)
                sar = sar + af * (ep - sar)
                sar = min(sar, prev_low, new_low)
        else:
            if new_high >= sar:
                is_long = True
                sar = ep
                sar = min(sar, prev_low, new_low)
                out[t] = sar
                af = accel
                ep = new_high
                sar = sar + af * (ep - sar)
                sar = min(sar, prev_low, new_low)
            else:
                out[t] = sar
                if new_low < ep:
                    ep = new_low
                    af += accel
                    af = min(af, maximum)
                sar = sar + af * (ep - sar)
                sar = max(sar, prev_high, new_high)
