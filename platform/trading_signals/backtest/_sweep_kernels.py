"""Event-driven numba kernel of the SMA-cross sweep: the engine's accounting, less work per bar.

An SMA-cross target only changes on crossings, so between two fills the holdings (cash,
shares) are constant and equity is ``cash + shares * close``. Per pair the kernel:

1. writes which side of the slow average the fast one is on, one byte per bar (a branch-free,
   vectorised pass), turns them into crossing bits 8 bars per uint64 word, and jumps from one
   effective crossing to the next (no per-bar loop, no-op crossings masked out);
2. books each fill with the exact arithmetic of `_kernels.simulate` (scalar, per event);
3. marks the bars between fills to market in two tight passes: a sparse table of close
   extrema (built once per sweep) skips whole ranges that can neither ruin the account nor
   deepen the drawdown (exact: ``cash + shares * c`` is monotone in ``c``), and the return sums
   run as one loop without loop-carried dependencies except the sums (SIMD division).

Flat stretches (``shares == 0``) cost nothing: their returns are exactly 0. Per-bar returns are
``equity[t] / equity[t-1] - 1`` computed from the same expressions as the engine, so only the
summation order differs from the bar-by-bar `_kernels.cross_stats` (about 1e-13 relative, far
below the 1e-9 parity tolerance); equity, drawdown, returns and trade counts are identical.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals._typing import FloatArray
from trading_signals.backtest._kernels import _finish_stats, _target_shares, sma

# Indices of the running statistics in the ``acc`` scratch array.
_PREV, _PEAK, _MDD, _S1, _S2, _DOWN = 0, 1, 2, 3, 4, 5


@njit(cache=True, nogil=True)
def sma_rows(close: FloatArray, windows: np.ndarray) -> FloatArray:  # pragma: no cover
    """Return ``sma(close, w)`` for each window, one row each (the engine's `_kernels.sma`)."""
    out = np.empty((windows.size, close.size))
    for k in range(windows.size):
        out[k] = sma(close, windows[k])
    return out


@njit(cache=True, nogil=True)
def range_table(close: FloatArray) -> FloatArray:  # pragma: no cover
    """Return a sparse table: ``[k, t, 0]`` / ``[k, t, 1]`` = max / min of ``close[t : t + 2**k]``."""
    n = close.size
    levels = 1
    while (1 << levels) <= n:
        levels += 1
    tab = np.empty((levels, n, 2))
    tab[0, :, 0] = close
    tab[0, :, 1] = close
    for k in range(1, levels):
        h = 1 << (k - 1)
        for t in range(n - (1 << k) + 1):
            tab[k, t, 0] = max(tab[k - 1, t, 0], tab[k - 1, t + h, 0])
            tab[k, t, 1] = min(tab[k - 1, t, 1], tab[k - 1, t + h, 1])
    return tab


@njit(cache=True, nogil=True)
def side_codes(fast: FloatArray, slow: FloatArray, code: np.ndarray) -> None:  # pragma: no cover
    """Write ``code[t] = (fast[t] < slow[t]) | (fast[t] > slow[t]) << 1`` for every bar.

    One branch-free pass (it vectorises); `next_change` derives the crossings from consecutive
    bytes (NaN compares False, so an undefined average never crosses).
    """
    for t in range(fast.size):
        code[t] = np.uint8(fast[t] < slow[t]) | (np.uint8(fast[t] > slow[t]) << np.uint8(1))


_ONES = np.uint64(0x0101010101010101)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_DEBRUIJN = np.uint64(0x03F79D71B4CB0A89)
_DEBRUIJN_POS = np.array([
    0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4, 62, 55, 59, 36, 53, 51, 43, 22,
    45, 39, 33, 30, 24, 18, 12, 5, 63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
    46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6], dtype=np.int64)


@njit(cache=True, nogil=True)
def next_change(cross: np.ndarray, u: int, end: int, pos: float,
                long_only: bool) -> tuple[int, float]:  # pragma: no cover
    """Return the first decision bar in ``[u, end)`` where the target changes, and the new
    target; ``(end, pos)`` when it never does (same rule as `_kernels._cross_step`).

    ``cross`` holds the `crossing_words`, so eight decision bars are tested at once;
    the first matching byte of a word comes from its lowest set bit (de Bruijn multiply).
    """
    if u >= end:
        return end, pos
    want_up = pos != 1.0
    want_dn = pos == 1.0 or (pos == 0.0 and not long_only)
    wmask = np.uint64((1 if want_up else 0) | (2 if want_dn else 0)) * _ONES
    k = u >> 3
    w = cross[k] & wmask & (_ALL << np.uint64(8 * (u & 7)))  # bytes below u: no
    last = (end - 1) >> 3
    while w == 0:
        k += 1
        if k > last:
            return end, pos
        w = cross[k] & wmask
    low = w & (~w + np.uint64(1))
    bit = _DEBRUIJN_POS[(low * _DEBRUIJN) >> np.uint64(58)]
    u = 8 * k + (bit >> 3)
    if u >= end:
        return end, pos
    return u, 1.0 if (bit & 7) == 0 else (0.0 if long_only else -1.0)


@njit(cache=True, nogil=True)
def crossing_words(words: np.ndarray, cross: np.ndarray) -> None:  # pragma: no cover
    """Turn the `side_codes` words into crossing words (one vectorised pass over words).

    Byte j of word k is bar 8k+j: bit 1 = crossed above at that bar (below at the previous one
    and above now), bit 2 = crossed below. Strict, as backtesting.py's ``crossover``.
    """
    carry = np.uint64(0)
    for k in range(words.size):
        w = words[k]
        prev = (w << np.uint64(8)) | carry
        carry = w >> np.uint64(56)
        up = prev & (w >> np.uint64(1)) & _ONES
        dn = (prev >> np.uint64(1)) & w & _ONES
        cross[k] = up | (dn << np.uint64(1))


@njit(cache=True, nogil=True, error_model="numpy")
def _dd_step(e: float, peak: float, mdd: float) -> tuple[float, float]:  # pragma: no cover
    # The engine's drawdown update (divides only when the drawdown deepens).
    if e > peak:
        peak = e
    elif e < peak * (1.0 - mdd):
        mdd = 1.0 - e / peak
    return peak, mdd


_SCALAR = 3  # a missed range of <= 2**_SCALAR bars is stepped bar by bar (cheaper than halving)


@njit(cache=True, nogil=True, error_model="numpy")
def drawdown_pass(close: FloatArray, tab: FloatArray, a: int, b: int, cash: float, sh: float,
                  acc: FloatArray) -> int:  # pragma: no cover
    """Update peak/max drawdown over bars ``[a, b)`` held at constant ``(cash, sh)``.

    Returns the first bar whose equity is ``<= 0`` (ruin; bars from it on are not applied), or -1.
    A range whose lowest equity is positive and not below ``max(peak, highest) * (1 - mdd)``
    changes neither the drawdown nor (beyond its highest equity) the peak, so it is skipped
    exactly (``cash + sh * c`` is monotone in ``c``, also in floating point). Ranges are powers
    of two read from the sparse table `range_table`: doubled after a skip, halved after a miss;
    short missed ranges take the engine's per-bar step.
    """
    peak, mdd = acc[_PEAK], acc[_MDD]
    top_level = tab.shape[0] - 1
    hi_col = 0 if sh > 0.0 else 1  # the highest equity sits at the highest close when long
    t = a
    k = top_level
    while t < b:
        while t + (1 << k) > b:
            k -= 1
        e_lo = cash + sh * tab[k, t, 1 - hi_col]
        top = max(peak, cash + sh * tab[k, t, hi_col])
        if e_lo > 0.0 and e_lo >= top * (1.0 - mdd):
            peak = top
            t += 1 << k
            k = min(k + 1, top_level)
        elif k > _SCALAR:
            k -= 1
        else:
            for _ in range(1 << k):
                e = cash + sh * close[t]
                if e <= 0.0:
                    acc[_PEAK], acc[_MDD] = peak, mdd
                    return t
                # _dd_step without branches (its outcomes are unpredictable here): the same
                # values, as e < peak * (1 - mdd) <= peak leaves the peak unchanged.
                deeper = 1.0 - e / peak
                mdd = deeper if e < peak * (1.0 - mdd) else mdd
                peak = max(peak, e)
                t += 1
    acc[_PEAK], acc[_MDD] = peak, mdd
    return -1


# Fast-math is limited to re-association of these three sums (the return of each bar is computed
# exactly as in the engine); it lets LLVM keep vector partial sums, so the division runs 4-wide.
@njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc", "nsz"})
def sums_pass(close: FloatArray, a: int, b: int, cash: float, sh: float,
              acc: FloatArray) -> None:  # pragma: no cover
    """Add the sums of r, r**2 and min(r, 0)**2 over bars ``[a, b)`` (``a >= 1``) to ``acc``.

    ``r[t] = (cash + sh*c[t]) / (cash + sh*c[t-1]) - 1``: both equities are recomputed per bar
    so iterations are independent and the loop vectorises.
    """
    x = close[a - 1:b]  # zero-based view: no negative-index handling in the loop
    s1 = s2 = dn = 0.0
    for i in range(b - a):
        r = (cash + sh * x[i + 1]) / (cash + sh * x[i]) - 1.0
        s1 += r
        s2 += r * r
        m = min(r, 0.0)
        dn += m * m
    acc[_S1] += s1
    acc[_S2] += s2
    acc[_DOWN] += dn



@njit(cache=True, nogil=True, error_model="numpy")
def _record(eq: float, acc: FloatArray) -> None:  # pragma: no cover
    # One bar's return and drawdown, exactly as the bar-by-bar loop does it.
    prev = acc[_PREV]
    r = eq / prev - 1.0 if prev > 0.0 else 0.0
    acc[_S1] += r
    acc[_S2] += r * r
    m = min(r, 0.0)
    acc[_DOWN] += m * m
    acc[_PREV] = eq
    acc[_PEAK], acc[_MDD] = _dd_step(eq, acc[_PEAK], acc[_MDD])


@njit(cache=True, nogil=True, error_model="numpy")
def cross_stats_fast(open_: FloatArray, close: FloatArray, tab: FloatArray,
                     cross: np.ndarray, cost_rate: float, cash0: float,
                     fill_at_close: bool, long_only: bool, end_at_open: bool, ppy: float,
                     acc: FloatArray, out: FloatArray) -> None:  # pragma: no cover
    """Event-driven twin of `_kernels.cross_stats` (same outputs; ``acc``: scratch of 6)."""
    n = close.size
    cash, sh, pos, n_entries = cash0, 0.0, 0.0, 0
    acc[_PREV], acc[_PEAK], acc[_MDD], acc[_S1], acc[_S2], acc[_DOWN] = cash0, cash0, 0.0, 0.0, 0.0, 0.0
    eq = cash0
    last = n - 1 if end_at_open else n  # with end_at_open the last bar trades at its open
    t, u = 1, 1  # next bar to account for (bar 0 is flat: r = 0), next decision bar to scan
    while t < n:
        u, new_pos = next_change(cross, u, n - 1, pos, long_only)
        tf = u + 1  # fill bar of that decision (n when there is none)
        stop = min(tf, last)
        if t < stop and sh != 0.0:  # flat stretches have r = 0 and leave every statistic as is
            ruin = drawdown_pass(close, tab, t, stop, cash, sh, acc)
            sums_pass(close, t, stop if ruin < 0 else ruin, cash, sh, acc)
            if ruin >= 0:
                acc[_PREV] = cash + sh * close[ruin - 1] if ruin > t else acc[_PREV]
                _record(0.0, acc)
                eq = 0.0
                break
            eq = cash + sh * close[stop - 1]
            acc[_PREV] = eq
        t = max(t, stop)
        if t >= n:
            break
        if t == tf:  # fill the new target (engine arithmetic, see _kernels.simulate)
            pos = new_pos
            px = close[t] if fill_at_close else open_[t]
            s1 = _target_shares(pos, cash + sh * px, px)
            d = s1 - sh
            if d != 0.0:
                cash -= d * px + abs(d) * px * cost_rate
                if s1 != 0.0 and (sh == 0.0 or (s1 > 0.0) != (sh > 0.0)):
                    n_entries += 1
                sh = s1
            u += 1
        if end_at_open and t == n - 1 and sh != 0.0:
            cash += sh * open_[t] - abs(sh) * open_[t] * cost_rate
            sh = 0.0
        e = cash + sh * close[t]
        if e <= 0.0:  # ruin: liquidated at this close, equity 0 from here on (r = 0 after)
            _record(0.0, acc)
            eq = 0.0
            break
        eq = e
        _record(eq, acc)
        t += 1
    _finish_stats(out, eq / cash0, acc[_S1], acc[_S2], acc[_DOWN], acc[_MDD], n, ppy)
    out[6] = n_entries
    out[7] = eq


@njit(cache=True, nogil=True)
def sweep_cross_fast(open_: FloatArray, close: FloatArray, tab: FloatArray, smas: FloatArray,
                     fast_idx: np.ndarray, slow_idx: np.ndarray, cost_rate: float, cash0: float,
                     fill_at_close: bool, long_only: bool, end_at_open: bool,
                     ppy: float) -> FloatArray:  # pragma: no cover
    """Metrics per (fast, slow) pair: one `cross_stats_fast` row each (releases the GIL, so
    callers run chunks of pairs on threads). ``tab`` is `range_table(close)`."""
    acc = np.empty(6)
    code = np.zeros((close.size + 7) // 8 * 8, np.uint8)  # padding bytes stay 0
    words = code.view(np.uint64)
    cross = np.empty_like(words)
    out = np.empty((fast_idx.size, 8))
    for p in range(fast_idx.size):
        side_codes(smas[fast_idx[p]], smas[slow_idx[p]], code)
        crossing_words(words, cross)
        cross_stats_fast(open_, close, tab, cross, cost_rate, cash0, fill_at_close,
                         long_only, end_at_open, ppy, acc, out[p])
    return out
