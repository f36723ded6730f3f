"""Numba plan executor: runs a compiled indicator plan over NaN-free segments in one call.

A plan is four arrays: ``codes[k]`` (kernel id), ``ip[k, :]`` (integer params), ``fp[k, :]``
(float params) and ``cols[k]`` (first output row). One ``@njit`` call computes every requested
indicator for a symbol (or, in :func:`run_plan_2d`, for a whole panel), so the per-indicator
Python dispatch cost that dominates TA-Lib on short series disappears.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals.features._kernels_fused import (
    bbands_stddev_into,
    find_code,
    find_same_period,
    macd_trix_into,
    natr_from_atr,
    run_ma_group,
)
from trading_signals.features._kernels_fused_chains import chain_entries, chains_into
from trading_signals.features._kernels_lanes_ext import aroon_l, window_max_min_l
from trading_signals.features._kernels_lanes_hl import (
    adx_l,
    atr_l,
    cci_l,
    keltner_l,
    sar_l,
    stoch_l,
    ultosc_l,
    willr_l,
)
from trading_signals.features._kernels_lanes_ma import (
    bbands_l,
    ema_l,
    linreg_slope_l,
    macd_l,
    roc_mom_l,
    rsi_l,
    sma_l,
    stddev_l,
    trix_l,
)
from trading_signals.features._kernels_lanes_vol import ad_l, adosc_l, mfi_l, obv_l, vwap_l
from trading_signals.features._kernels_ma import (
    bbands_into,
    linreg_slope_into,
    macd_into,
    stddev_into,
    trix_into,
)
from trading_signals.features._kernels_osc import (
    aroon_into,
    cci_into,
    mom_into,
    roc_into,
    rsi_into,
    stoch_into,
    ultosc_into,
    willr_into,
)
from trading_signals.features._kernels_trend import adx_into, sar_into
from trading_signals.features._kernels_vol import atr_into, donchian_into, keltner_into, natr_into
from trading_signals.features._kernels_volume import (
    ad_into,
    adosc_into,
    mfi_into,
    obv_into,
    vwap_into,
)

# Kernel ids; indicators.py maps family names to these.
SMA, EMA, RSI, MACD, BBANDS, ATR, NATR, ADX, STOCH, CCI, OBV, MFI, WILLR = range(13)
ROC, MOM, AROON, AD, ADOSC, TRIX, ULTOSC, SAR, STDDEV, LINREG_SLOPE, VWAP = range(13, 24)
DONCHIAN, KELTNER = 24, 25


@njit(cache=True, error_model="numpy")
def _run_segment(o, h, lo, c, v, codes, ip, fp, cols, out):  # type: ignore[no-untyped-def]
    # All SMAs, then all EMAs, run as groups whose independent chains overlap in one loop.
    run_ma_group(c, codes, ip, cols, out, SMA, False)
    run_ma_group(c, codes, ip, cols, out, EMA, True)
    # RSI, ATR, VWAP, ADX and SAR (first of each), stepped together: their chains overlap.
    ch = chain_entries(codes, RSI, ATR, VWAP, ADX, SAR)
    if ch.max() >= 0:
        r = cols[ch]  # first output row of each (any valid row where absent: never written)
        r[ch < 0] = cols[0]
        di = 1 if ch[3] >= 0 else 0  # ADX's +DI/-DI rows follow its first row
        rows = (out[r[0]], out[r[1]], out[r[2]], out[r[3]], out[r[3] + di], out[r[3] + 2 * di])
        chains_into(h, lo, c, v, ip, fp, ch, rows + (out[r[4]],))
    for k in range(codes.shape[0]):
        code = codes[k]
        j = cols[k]
        if code == SMA or code == EMA or (ch == k).any():
            continue
        elif code == NATR and find_same_period(codes, ip, ATR, ip[k, 0]) >= 0:
            continue  # derived from that ATR below
        elif (
            code == STDDEV
            and find_same_period(codes, ip, STDDEV, ip[k, 0]) == k
            and find_same_period(codes, ip, BBANDS, ip[k, 0]) >= 0
        ):
            continue  # computed with that BBANDS
        elif code == TRIX and find_code(codes, TRIX) == k and find_code(codes, MACD) >= 0:
            continue  # computed with the first MACD
        elif code == RSI:
            rsi_into(c, ip[k, 0], out[j])
        elif code == MACD:
            tx = find_code(codes, TRIX)
            if tx >= 0:  # the first TRIX runs with the MACD: their chains overlap
                macd_trix_into(
                    c, ip[k, 0], ip[k, 1], ip[k, 2], ip[tx, 0], out[j], out[j + 1], out[j + 2],
                    out[cols[tx]],
                )  # fmt: skip
            else:
                macd_into(c, ip[k, 0], ip[k, 1], ip[k, 2], out[j], out[j + 1], out[j + 2])
        elif code == BBANDS:
            sd = find_same_period(codes, ip, STDDEV, ip[k, 0])
            if sd >= 0:  # one pass for both (same sums and variance)
                bbands_stddev_into(
                    c, ip[k, 0], fp[k, 0], fp[k, 1], fp[sd, 0], out[j], out[j + 1], out[j + 2],
                    out[cols[sd]],
                )  # fmt: skip
            else:
                bbands_into(c, ip[k, 0], fp[k, 0], fp[k, 1], out[j], out[j + 1], out[j + 2])
        elif code == ATR:
            atr_into(h, lo, c, ip[k, 0], out[j])
        elif code == NATR:
            natr_into(h, lo, c, ip[k, 0], out[j])
        elif code == ADX:
            adx_into(h, lo, c, ip[k, 0], out[j], out[j + 1], out[j + 2])
        elif code == STOCH:
            stoch_into(h, lo, c, ip[k, 0], ip[k, 1], ip[k, 2], out[j], out[j + 1])
        elif code == CCI:
            cci_into(h, lo, c, ip[k, 0], out[j])
        elif code == OBV:
            obv_into(c, v, out[j])
        elif code == MFI:
            mfi_into(h, lo, c, v, ip[k, 0], out[j])
        elif code == WILLR:
            willr_into(h, lo, c, ip[k, 0], out[j])
        elif code == ROC:
            roc_into(c, ip[k, 0], out[j])
        elif code == MOM:
            mom_into(c, ip[k, 0], out[j])
        elif code == AROON:
            aroon_into(h, lo, ip[k, 0], out[j], out[j + 1])
        elif code == AD:
            ad_into(h, lo, c, v, out[j])
        elif code == ADOSC:
            adosc_into(h, lo, c, v, ip[k, 0], ip[k, 1], out[j])
        elif code == TRIX:
            trix_into(c, ip[k, 0], out[j])
        elif code == ULTOSC:
            ultosc_into(h, lo, c, ip[k, 0], ip[k, 1], ip[k, 2], out[j])
        elif code == SAR:
            sar_into(h, lo, fp[k, 0], fp[k, 1], out[j])
        elif code == STDDEV:
            stddev_into(c, ip[k, 0], fp[k, 0], out[j])
        elif code == LINREG_SLOPE:
            linreg_slope_into(c, ip[k, 0], out[j])
        elif code == VWAP:
            vwap_into(h, lo, c, v, ip[k, 0], out[j])
        elif code == DONCHIAN:
            donchian_into(h, lo, ip[k, 0], out[j], out[j + 1])
        elif code == KELTNER:
            keltner_into(h, lo, c, ip[k, 0], ip[k, 1], fp[k, 0], out[j], out[j + 1])
    for k in range(codes.shape[0]):
        if codes[k] == NATR:
            a = find_same_period(codes, ip, ATR, ip[k, 0])
            if a >= 0:
                natr_from_atr(c, out[cols[a]], ip[k, 0], out[cols[k]])


@njit(cache=True, error_model="numpy")
def _is_gap(o, h, lo, c, v):  # type: ignore[no-untyped-def]
    # Scalars, not arrays: passing arrays to a per-bar helper costs NRT refcounting.
    return np.isnan(o) or np.isnan(h) or np.isnan(lo) or np.isnan(c) or np.isnan(v)


@njit(cache=True, error_model="numpy")
def run_plan(o, h, lo, c, v, codes, ip, fp, cols, out):  # type: ignore[no-untyped-def]
    # Each maximal run of bars without NaN is computed as an independent series.
    m = c.shape[0]
    if not _any_nan(o, h, lo, c, v):
        # Kernels write every bar from their first valid one on, and each warm-up is shorter
        # than 3 x (sum of the integer params) + 2 bars: NaN-fill only those heads.
        for k in range(codes.shape[0]):
            end = cols[k + 1] if k + 1 < codes.shape[0] else out.shape[0]
            out[cols[k] : end, : min(m, 3 * ip[k].sum() + 2)] = np.nan
        _run_segment(o, h, lo, c, v, codes, ip, fp, cols, out)
        return
    out[:, :] = np.nan
    s = 0
    while s < m:
        if _is_gap(o[s], h[s], lo[s], c[s], v[s]):
            s += 1
            continue
        e = s + 1
        while e < m and not _is_gap(o[e], h[e], lo[e], c[e], v[e]):
            e += 1
        _run_segment(o[s:e], h[s:e], lo[s:e], c[s:e], v[s:e], codes, ip, fp, cols, out[:, s:e])
        s = e


@njit(cache=True, error_model="numpy")
def _any_nan(o, h, lo, c, v):  # type: ignore[no-untyped-def]
    # Branch-free OR-reduction (vectorises); the per-bar early-exit scan did not.
    bad = False
    for t in range(c.shape[0]):
        bad |= (o[t] != o[t]) | (h[t] != h[t]) | (lo[t] != lo[t]) | (c[t] != c[t]) | (v[t] != v[t])
    return bad


@njit(cache=True, error_model="numpy")
def lane_nan_mask(o, h, lo, c, v):  # type: ignore[no-untyped-def]
    # Per lane (column) of wide inputs: True if the lane has a NaN. One fused pass that
    # vectorises across lanes (the per-array numpy column sums read the inputs 5 times).
    m, nl = c.shape
    acc = np.zeros(nl)
    for t in range(m):
        for j in range(nl):
            acc[j] += (o[t, j] + h[t, j]) + (lo[t, j] + c[t, j]) + v[t, j]
    return np.isnan(acc)


@njit(cache=True, error_model="numpy")
def run_plan_2d(o, h, lo, c, v, codes, ip, fp, cols, out):  # type: ignore[no-untyped-def]
    # Panel fast path: inputs (n_symbols, n_bars), out (n_symbols, n_columns, n_bars).
    for i in range(c.shape[0]):
        run_plan(o[i], h[i], lo[i], c[i], v[i], codes, ip, fp, cols, out[i])


def run_lanes(o, h, lo, c, v, codes, ip, fp, cols, out, dest=None):  # type: ignore[no-untyped-def]
    # Wide panel path: NaN-free inputs (n_bars, n_lanes), out (n_columns, n_bars, n_lanes).
    # Dispatch from Python on purpose: one call per indicator over the whole panel costs
    # microseconds, while inlining every lane kernel into one jitted function stopped LLVM
    # from vectorising some loops (OBV ran 10x slower that way).
    # With ``dest`` (a strided (n_columns, n_bars, n_lanes) view into a wider panel), ``out``
    # is a small (3, n_bars, n_lanes) scratch: each indicator's columns are copied to ``dest``
    # right after they are computed, while still cache-warm (one pass over the big result).
    m = c.shape[0]
    n_cols = out.shape[0] if dest is None else dest.shape[0]
    for k in range(codes.shape[0]):
        code, j, i, f = int(codes[k]), int(cols[k]), ip[k], fp[k]
        end = cols[k + 1] if k + 1 < codes.shape[0] else n_cols
        base = j if dest is None else 0
        o_ = out[base : base + 3]
        # Every lane kernel writes all rows from its own first valid bar on, and every warm-up
        # is shorter than 3 x (sum of the integer params) + 2: NaN-fill only that head.
        out[base : base + end - j, : min(m, 3 * int(i.sum()) + 2)] = np.nan
        _run_lane_kernel(code, o, h, lo, c, v, i, f, o_)
        if dest is not None:
            dest[j:end] = out[: end - j]


def _run_lane_kernel(code, o, h, lo, c, v, i, f, o_):  # type: ignore[no-untyped-def]
    # One indicator over all lanes; o_ holds its (up to 3) output rows.
    if code in (SMA, EMA):
        (sma_l if code == SMA else ema_l)(c, i[0], 0, o_[0])
    elif code == RSI:
        rsi_l(c, i[0], o_[0])
    elif code == MACD:
        macd_l(c, i[0], i[1], i[2], o_[0], o_[1], o_[2])
    elif code == BBANDS:
        bbands_l(c, i[0], f[0], f[1], o_[0], o_[1], o_[2])
    elif code in (ATR, NATR):
        atr_l(h, lo, c, i[0], code == NATR, o_[0])
    elif code == ADX:
        adx_l(h, lo, c, i[0], o_[0], o_[1], o_[2])
    elif code == STOCH:
        stoch_l(h, lo, c, i[0], i[1], i[2], o_[0], o_[1])
    elif code == CCI:
        cci_l(h, lo, c, i[0], o_[0])
    elif code == OBV:
        obv_l(c, v, o_[0])
    elif code == MFI:
        mfi_l(h, lo, c, v, i[0], o_[0])
    elif code == WILLR:
        willr_l(h, lo, c, i[0], o_[0])
    elif code in (ROC, MOM):
        roc_mom_l(c, i[0], code == ROC, o_[0])
    elif code == AROON:
        aroon_l(h, lo, i[0], o_[0], o_[1])
    elif code == AD:
        ad_l(h, lo, c, v, o_[0])
    elif code == ADOSC:
        adosc_l(h, lo, c, v, i[0], i[1], o_[0])
    elif code == TRIX:
        trix_l(c, i[0], o_[0])
    elif code == ULTOSC:
        ultosc_l(h, lo, c, i[0], i[1], i[2], o_[0])
    elif code == SAR:
        sar_l(h, lo, f[0], f[1], o_[0])
    elif code == STDDEV:
        stddev_l(c, i[0], f[0], o_[0])
    elif code == LINREG_SLOPE:
        linreg_slope_l(c, i[0], o_[0])
    elif code == VWAP:
        vwap_l(h, lo, c, v, i[0], o_[0])
    elif code == DONCHIAN:
        if c.shape[0] >= i[0]:
            window_max_min_l(h, lo, i[0], o_[0], o_[1])
    elif code == KELTNER:
        keltner_l(h, lo, c, i[0], i[1], f[0], o_[0], o_[1])


LANE_BLOCK = 128  # symbols per lane block: keeps each block's working set near the caches


def run_lane_blocks(arrs, codes, ip, fp, cols, clean, out):  # type: ignore[no-untyped-def]
    # Lane blocks of up to LANE_BLOCK NaN-free symbols (``clean`` = their column numbers in the
    # wide inputs ``arrs``). A block of adjacent symbols writes each indicator through a small
    # cache-warm scratch straight into its strided view of ``out`` (one pass over the big
    # result); scattered symbols go through a full block and a fancy-indexed copy.
    n_cols, n_bars = out.shape[0], arrs[0].shape[0]
    width = min(LANE_BLOCK, clean.size)
    small = np.empty((3, n_bars, width))
    full = None
    for b in range(0, clean.size, LANE_BLOCK):
        idx = clean[b : b + LANE_BLOCK]
        if idx[-1] - idx[0] + 1 == idx.size:
            sel = slice(idx[0], idx[-1] + 1)
            scratch = small if idx.size == width else np.empty((3, n_bars, idx.size))
            o, h, lo, c, v = (np.ascontiguousarray(a[:, sel]) for a in arrs)
            run_lanes(o, h, lo, c, v, codes, ip, fp, cols, scratch, dest=out[:, :, sel])
            continue
        if full is None:
            full = np.empty((n_cols, n_bars, width))
        block = (
            full[:, :, : idx.size] if idx.size == width else np.empty((n_cols, n_bars, idx.size))
        )
        o, h, lo, c, v = (np.ascontiguousarray(a[:, idx]) for a in arrs)
        run_lanes(o, h, lo, c, v, codes, ip, fp, cols, block)
        out[:, :, idx] = block
