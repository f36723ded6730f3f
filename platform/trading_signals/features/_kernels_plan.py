"""Plan executor: runs a compiled indicator plan over the NaN-free segments of one symbol.

A plan is four arrays: ``codes[k]`` (kernel id), ``ip[k, :]`` (integer params), ``fp[k, :]``
(float params) and ``cols[k]`` (first output row). :func:`run_plan` turns a plan once into a
schedule of leaf-kernel calls (cached per plan), then runs the schedule on each NaN-free
segment. Families whose recursions can overlap are scheduled together (all SMAs four at a time,
all EMAs, RSI/ATR/VWAP/ADX/SAR in one chained loop, MACD with TRIX, BBANDS with a same-period
STDDEV, NATR from a same-period ATR); each keeps its single-indicator arithmetic, so outputs are
bit-identical to running the families one by one.

Cold start: the dispatch lives in Python on purpose. A jitted dispatcher calling every kernel
made numba link and re-optimise the whole kernel tree once per nesting level (run_plan ->
_run_segment -> run_ma_group -> _ma4 -> sma4_into -> sma_head), and a NaN-gap segment written
through the strided view ``out[:, s:e]`` compiled the whole tree a second time for the 'A'
layout. Now every kernel is a leaf called with C-contiguous float64 arrays only (segments go
through a contiguous scratch), so each compiles exactly once; the Python loop costs a few
microseconds per kernel call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

from trading_signals.features._kernels_fused import (
    bbands_stddev_into,
    ema4_into,
    macd_trix_into,
    natr_from_atr,
    sma4_into,
)
from trading_signals.features._kernels_fused_chains import chains_into
from trading_signals.features._kernels_ma import (
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
    stoch_into,
    ultosc_into,
    willr_into,
)
from trading_signals.features._kernels_vol import donchian_into, keltner_into
from trading_signals.features._kernels_volume import ad_into, adosc_into, mfi_into, obv_into

# Kernel ids; indicators.py maps family names to these.
SMA, EMA, RSI, MACD, BBANDS, ATR, NATR, ADX, STOCH, CCI, OBV, MFI, WILLR = range(13)
ROC, MOM, AROON, AD, ADOSC, TRIX, ULTOSC, SAR, STDDEV, LINREG_SLOPE, VWAP = range(13, 24)
DONCHIAN, KELTNER = 24, 25
_CHAINED = (RSI, ATR, VWAP, ADX, SAR)  # chains_into's slot order

# A scheduled call: f(o, h, lo, c, v, out) with everything else bound.
Step = Callable[[Any, Any, Any, Any, Any, Any], None]
_SCHEDULES: dict[bytes, list[Step]] = {}


def run_plan(o, h, lo, c, v, codes, ip, fp, cols, out):  # type: ignore[no-untyped-def]
    """Compute every indicator of the plan for one symbol into ``out`` (n_columns, n_bars).

    Inputs are C-contiguous float64 arrays of one length. Each maximal run of bars without NaN
    is computed as an independent series; NaN bars and warm-ups are NaN.
    """
    steps = _schedule(codes, ip, fp, cols)
    m = c.shape[0]
    if not _any_nan(o, h, lo, c, v):
        # Kernels write every bar from their first valid one on, and each warm-up is shorter
        # than 3 x (sum of the integer params) + 2 bars: NaN-fill only those heads.
        _nan_heads(codes, ip, cols, out, m)
        for step in steps:
            step(o, h, lo, c, v, out)
        return
    out.fill(np.nan)
    gap = np.isnan(o) | np.isnan(h) | np.isnan(lo) | np.isnan(c) | np.isnan(v)
    edges = np.flatnonzero(np.diff(np.concatenate(([True], gap, [True])).astype(np.int8)))
    for s, e in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        seg = np.empty((out.shape[0], e - s))  # contiguous scratch: one compiled layout
        _nan_heads(codes, ip, cols, seg, e - s)
        so, sh, sl, sc, sv = o[s:e], h[s:e], lo[s:e], c[s:e], v[s:e]
        for step in steps:
            step(so, sh, sl, sc, sv, seg)
        out[:, s:e] = seg


@njit(cache=True, error_model="numpy")
def _any_nan(o, h, lo, c, v):  # type: ignore[no-untyped-def]
    # Branch-free OR-reduction (vectorises); the per-bar early-exit scan did not.
    bad = False
    for t in range(c.shape[0]):
        bad |= (o[t] != o[t]) | (h[t] != h[t]) | (lo[t] != lo[t]) | (c[t] != c[t]) | (v[t] != v[t])
    return bad


@njit(cache=True, error_model="numpy")
def _nan_heads(codes, ip, cols, out, m):  # type: ignore[no-untyped-def]
    for k in range(codes.shape[0]):
        end = cols[k + 1] if k + 1 < codes.shape[0] else out.shape[0]
        head = min(m, 3 * ip[k].sum() + 2)
        for r in range(cols[k], end):
            for t in range(head):
                out[r, t] = np.nan


_last: tuple[Any, ...] = (None,) * 5  # the last plan's arrays and schedule (hot path)


def _schedule(codes, ip, fp, cols) -> list[Step]:  # type: ignore[no-untyped-def]
    global _last
    last = _last  # one read: another thread may replace it
    if last[0] is codes and last[1] is ip and last[2] is fp and last[3] is cols:
        return last[4]  # type: ignore[no-any-return]
    key = codes.tobytes() + ip.tobytes() + fp.tobytes() + cols.tobytes()
    steps = _SCHEDULES.get(key)
    if steps is None:
        if len(_SCHEDULES) > 256:  # ad-hoc specs in a loop must not grow this without bound
            _SCHEDULES.clear()
        steps = _SCHEDULES[key] = _build_schedule(
            codes.tolist(), ip.tolist(), fp.tolist(), cols.tolist(), ip, fp
        )
    _last = (codes, ip, fp, cols, steps)
    return steps


def _first(codes: list[int], code: int, ip: list[list[int]] | None = None, n: int = -1) -> int:
    # Index of the first entry with kernel id ``code`` (and first int param n if given), or -1.
    for k, cd in enumerate(codes):
        if cd == code and (ip is None or ip[k][0] == n):
            return k
    return -1


def _build_schedule(  # type: ignore[no-untyped-def]
    codes, ip, fp, cols, ip_arr, fp_arr
) -> list[Step]:
    steps: list[Step] = []
    steps += _ma_steps(codes, ip, cols, SMA, sma4_into)
    steps += _ma_steps(codes, ip, cols, EMA, ema4_into)
    steps += _chain_steps(codes, ip, cols, ip_arr, fp_arr)
    tx = _first(codes, TRIX)
    for k, code in enumerate(codes):
        j, i, f = cols[k], ip[k], fp[k]
        n = i[0]
        if code in (SMA, EMA, *_CHAINED, NATR):
            continue  # scheduled above
        first_sd = code == STDDEV and _first(codes, STDDEV, ip, n) == k
        if first_sd and _first(codes, BBANDS, ip, n) >= 0:
            continue  # computed with that BBANDS
        if code == TRIX and k == tx and _first(codes, MACD) >= 0:
            continue  # computed with the first MACD
        steps.append(_step(codes, ip, fp, cols, k, j, i, f, tx))
    for k, code in enumerate(codes):
        if code == NATR and (a := _first(codes, ATR, ip, ip[k][0])) >= 0:
            steps.append(_natr_from(cols[a], ip[k][0], cols[k]))
    return steps


def _ma_steps(codes, ip, cols, code, kernel) -> list[Step]:  # type: ignore[no-untyped-def]
    # Every SMA (or EMA) of close, four per fused loop; a short group repeats its last entry
    # (a repeated lane rewrites the same values).
    ks = [k for k, cd in enumerate(codes) if cd == code]
    steps: list[Step] = []
    for g in range(0, len(ks), 4):
        grp = ks[g : g + 4]
        grp += [grp[-1]] * (4 - len(grp))
        ns = tuple(ip[k][0] for k in grp)
        rows = tuple(cols[k] for k in grp)

        def step(o, h, lo, c, v, out, ns=ns, rows=rows):  # type: ignore[no-untyped-def]
            kernel(c, *ns, out[rows[0]], out[rows[1]], out[rows[2]], out[rows[3]])

        steps.append(step)
    return steps


def _chain_steps(codes, ip, cols, ip_arr, fp_arr) -> list[Step]:  # type: ignore[no-untyped-def]
    # Round r steps the r-th RSI, ATR, VWAP, ADX and SAR together (their chains overlap). A
    # NATR without a same-period ATR gets an ATR round of its own, turned into NATR in place.
    members = [[k for k, cd in enumerate(codes) if cd == code] for code in _CHAINED]
    lone_natr = [
        k for k, cd in enumerate(codes) if cd == NATR and _first(codes, ATR, ip, ip[k][0]) < 0
    ]
    steps: list[Step] = []
    for r in range(max(len(m) for m in members)):
        ks = np.array([m[r] if r < len(m) else -1 for m in members], dtype=np.int64)
        steps.append(_chain_step(ks, cols, ip_arr, fp_arr))
    for k in lone_natr:
        ks = np.array([-1, k, -1, -1, -1], dtype=np.int64)
        steps.append(_chain_step(ks, cols, ip_arr, fp_arr))
        steps.append(_natr_from(cols[k], ip[k][0], cols[k]))
    return steps


def _chain_step(ks, cols, ip_arr, fp_arr) -> Step:  # type: ignore[no-untyped-def]
    # Output rows RSI, ATR, VWAP, ADX, +DI, -DI, SAR; an absent family gets a row it never
    # writes (the first of the plan).
    r = [cols[k] if k >= 0 else cols[0] for k in ks.tolist()]
    di = 1 if ks[3] >= 0 else 0  # ADX's +DI/-DI rows follow its first row
    rows = (r[0], r[1], r[2], r[3], r[3] + di, r[3] + 2 * di, r[4])

    def step(o, h, lo, c, v, out):  # type: ignore[no-untyped-def]
        chains_into(h, lo, c, v, ip_arr, fp_arr, ks, tuple(out[x] for x in rows))

    return step


def _natr_from(atr_row: int, n: int, row: int) -> Step:
    def step(o, h, lo, c, v, out):  # type: ignore[no-untyped-def]
        natr_from_atr(c, out[atr_row], n, out[row])

    return step


def _step(codes, ip, fps, cols, k, j, i, f, tx) -> Step:  # type: ignore[no-untyped-def]
    # One plan entry's leaf-kernel call (the families not scheduled above).
    code, n = codes[k], i[0]
    if code == MACD:
        if tx >= 0 and k == _first(codes, MACD):  # the first TRIX runs with the first MACD
            n_tx, r_tx = ip[tx][0], cols[tx]
            return lambda o, h, lo, c, v, out: macd_trix_into(
                c, i[0], i[1], i[2], n_tx, out[j], out[j + 1], out[j + 2], out[r_tx]
            )
        return lambda o, h, lo, c, v, out: macd_into(
            c, i[0], i[1], i[2], out[j], out[j + 1], out[j + 2]
        )
    if code == BBANDS:
        sd = _first(codes, STDDEV, ip, n)
        if sd >= 0:  # one pass for both (same sums and variance)
            nbdev, r_sd = fps[sd][0], cols[sd]
        else:  # the same pass; the variance row is a scratch
            nbdev, r_sd = 1.0, -1

        def bb(o, h, lo, c, v, out):  # type: ignore[no-untyped-def]
            var = out[r_sd] if r_sd >= 0 else np.empty(c.shape[0])
            bbands_stddev_into(
                c, n, f[0], f[1], nbdev, out[j], out[j + 1], out[j + 2], var
            )

        return bb
    return _LEAF[code](i, f, j)


_LEAF: dict[int, Callable[[list[int], list[float], int], Step]] = {
    STOCH: lambda i, f, j: lambda o, h, lo, c, v, out: stoch_into(
        h, lo, c, i[0], i[1], i[2], out[j], out[j + 1]
    ),
    CCI: lambda i, f, j: lambda o, h, lo, c, v, out: cci_into(h, lo, c, i[0], out[j]),
    OBV: lambda i, f, j: lambda o, h, lo, c, v, out: obv_into(c, v, out[j]),
    MFI: lambda i, f, j: lambda o, h, lo, c, v, out: mfi_into(h, lo, c, v, i[0], out[j]),
    WILLR: lambda i, f, j: lambda o, h, lo, c, v, out: willr_into(h, lo, c, i[0], out[j]),
    ROC: lambda i, f, j: lambda o, h, lo, c, v, out: roc_into(c, i[0], out[j]),
    MOM: lambda i, f, j: lambda o, h, lo, c, v, out: mom_into(c, i[0], out[j]),
    AROON: lambda i, f, j: lambda o, h, lo, c, v, out: aroon_into(
        h, lo, i[0], out[j], out[j + 1]
    ),
    AD: lambda i, f, j: lambda o, h, lo, c, v, out: ad_into(h, lo, c, v, out[j]),
    ADOSC: lambda i, f, j: lambda o, h, lo, c, v, out: adosc_into(
        h, lo, c, v, i[0], i[1], out[j]
    ),
    TRIX: lambda i, f, j: lambda o, h, lo, c, v, out: trix_into(c, i[0], out[j]),
    ULTOSC: lambda i, f, j: lambda o, h, lo, c, v, out: ultosc_into(
        h, lo, c, i[0], i[1], i[2], out[j]
    ),
    STDDEV: lambda i, f, j: lambda o, h, lo, c, v, out: stddev_into(c, i[0], f[0], out[j]),
    LINREG_SLOPE: lambda i, f, j: lambda o, h, lo, c, v, out: linreg_slope_into(
        c, i[0], out[j]
    ),
    DONCHIAN: lambda i, f, j: lambda o, h, lo, c, v, out: donchian_into(
        h, lo, i[0], out[j], out[j + 1]
    ),
    KELTNER: lambda i, f, j: lambda o, h, lo, c, v, out: keltner_into(
        h, lo, c, i[0], i[1], f[0], out[j], out[j + 1]
    ),
}
