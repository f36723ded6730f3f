"""Numba kernel advancing the latency-bound recursions of RSI, ATR, ADX, VWAP and SAR.

Each spends most of its time waiting on one loop-carried chain (Wilder smoothing, Kahan sums,
the SAR update). Stepping several in the same loop lets the CPU overlap the chains. This is the
only kernel of these five families: a plan with one of them runs it with the others switched off
(a predictable branch per bar). Each family's per-bar step is its own helper (rsi_step,
atr_step, adx_step, vwap_add, sar_step), warm-up phases included, in TA-Lib's operation order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_osc import rsi_increments, rsi_step
from trading_signals.features._kernels_trend import adx_step, dm_tr, sar_init, sar_step
from trading_signals.features._kernels_vol import atr_step, true_range
from trading_signals.features._kernels_volume import THIRD, vwap_add


@njit(cache=True, error_model="numpy")
def chains_into(h, lo, c, v, ip, fp, ks, out_rows):  # type: ignore[no-untyped-def]
    # ks: plan entry of the RSI, ATR, VWAP, ADX, SAR to run (-1: absent); out_rows: their
    # output rows (RSI, ATR, VWAP, ADX, +DI, -DI, SAR).
    m = c.shape[0]
    if m == 0:
        return
    on_rsi, on_atr, on_vwap, on_adx = ks[0] >= 0, ks[1] >= 0, ks[2] >= 0, ks[3] >= 0
    on_sar = ks[4] >= 0 and m >= 2
    n_rsi = ip[ks[0], 0] if on_rsi else 1
    n_atr = ip[ks[1], 0] if on_atr else 1
    n_vw = ip[ks[2], 0] if on_vwap else 1
    n_adx = ip[ks[3], 0] if on_adx else 1
    inv_rsi, inv_atr, inv_adx = 1.0 / n_rsi, 1.0 / n_atr, 1.0 / n_adx
    o_rsi, o_atr, o_vwap, o_adx, o_pdi, o_mdi, o_sar = out_rows
    mr = m if on_rsi else 0
    ginc, linc = np.empty(mr), np.empty(mr)
    if on_rsi:
        rsi_increments(c, ginc, linc)
    ma = m if on_adx else 0
    dp, dmn, dtr = np.empty(ma), np.empty(ma), np.empty(ma)
    if on_adx:
        dm_tr(h, lo, c, dp, dmn, dtr)
    gain = loss = atr = 0.0
    spv = cpv = sv = cv = 0.0
    nz = 0
    pdm = mdm = tr = sum_dx = adx = 0.0
    accel, maximum = (fp[ks[4], 0], fp[ks[4], 1]) if on_sar else (0.0, 0.0)
    is_long, af, ep, sar = True, 0.0, 0.0, 0.0
    if on_sar:
        accel, is_long, af, ep, sar = sar_init(h, lo, accel, maximum)
    for t in range(0 if on_vwap else 1, m):
        if on_rsi and t >= 1:
            gain, loss, val = rsi_step(t, n_rsi, inv_rsi, ginc[t], linc[t], gain, loss)
            if t >= n_rsi:
                o_rsi[t] = val
        if on_atr and t >= 1:
            atr = atr_step(t, n_atr, inv_atr, true_range(h[t], lo[t], c[t - 1]), atr)
            if t >= n_atr:
                o_atr[t] = atr
        if on_vwap:
            x = (h[t] + lo[t] + c[t]) * THIRD * v[t]
            spv, cpv, sv, cv, nz = vwap_add(x, v[t], spv, cpv, sv, cv, nz)
            if t >= n_vw:
                j = t - n_vw
                x = -((h[j] + lo[j] + c[j]) * THIRD * v[j])
                spv, cpv, sv, cv, nz2 = vwap_add(x, -v[j], spv, cpv, sv, cv, 0)
                nz -= nz2
            if t >= n_vw - 1:
                o_vwap[t] = spv / sv if nz > 0 else np.nan
        if on_adx and t >= 1:
            if t < n_adx:
                pdm += dp[t]
                mdm += dmn[t]
                tr += dtr[t]
            else:
                pdm, mdm, tr, sum_dx, adx, pdi, mdi = adx_step(
                    t, n_adx, inv_adx, dp[t], dmn[t], dtr[t], pdm, mdm, tr, sum_dx, adx
                )
                o_pdi[t] = pdi
                o_mdi[t] = mdi
                if t >= 2 * n_adx - 1:
                    o_adx[t] = adx
        if on_sar and t >= 1:
            # bar 1 is its own "previous" bar (TA-Lib's SAR start)
            tp = t - 1 if t > 1 else 1
            is_long, af, ep, sar, val = sar_step(
                accel, maximum, is_long, af, ep, sar, lo[tp], h[tp], lo[t], h[t]
            )
            o_sar[t] = val
