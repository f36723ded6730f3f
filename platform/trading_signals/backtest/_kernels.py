"""Numba kernels of the backtest engine: one accounting path shared by run_backtest and sweeps.

Accounting (cash + signed shares): ``equity = cash + sum(shares * price)``. Buying ``d`` shares at
``p`` costs ``d * p`` cash plus ``|d| * p * cost_rate``; shorting credits cash. A target weight
``w`` decided at the close of bar ``t`` becomes ``w * E / p`` shares at the fill of bar ``t+1``,
where ``E`` is equity marked at the fill prices just before trading.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading_signals._typing import FloatArray

# Columns of the trade matrix built by `simulate`.
TRADE_FIELDS = (
    "symbol", "entry_bar", "exit_bar", "entry_price", "exit_price", "size", "pnl", "return_pct",
    "costs", "is_open",
)
_NT = len(TRADE_FIELDS)


@njit(cache=True)
def sma(x: FloatArray, n: int) -> FloatArray:  # pragma: no cover - numba
    out = np.full(x.size, np.nan)
    acc = 0.0
    for t in range(x.size):
        acc += x[t]
        if t >= n:
            acc -= x[t - n]
        if t >= n - 1:
            out[t] = acc / n
    return out


@njit(cache=True)
def cross_positions(fast: FloatArray, slow: FloatArray, long_only: bool) -> FloatArray:  # pragma: no cover
    out = np.zeros(fast.size)
    pos = 0.0
    for t in range(1, fast.size):
        pos = _cross_step(fast[t - 1], slow[t - 1], fast[t], slow[t], pos, long_only)
        out[t] = pos
    return out


@njit(cache=True)
def _cross_step(f0: float, s0: float, f1: float, s1: float, pos: float, long_only: bool) -> float:  # pragma: no cover
    # Strict crossover as backtesting.py's lib.crossover; NaN comparisons are False.
    if f0 < s0 and f1 > s1:
        return 1.0
    if s0 < f0 and s1 > f1:
        return 0.0 if long_only else -1.0
    return pos


@njit(cache=True)
def _target_shares(weight: float, equity: float, price: float) -> float:  # pragma: no cover
    # No new exposure out of a non-positive equity: the target becomes flat.
    if equity <= 0.0 or weight == 0.0:
        return 0.0
    return weight * equity / price


@njit(cache=True)
def _grow(trades: FloatArray) -> FloatArray:  # pragma: no cover
    bigger = np.empty((trades.shape[0] * 2 + 8, _NT))
    bigger[: trades.shape[0]] = trades
    return bigger


@njit(cache=True)
def _book_fill(state: FloatArray, trades: FloatArray, n: int, i: int, t: int, s0: float, s1: float,
               price: float, cost: float) -> tuple[FloatArray, int]:  # pragma: no cover
    # state[i] = [sign, entry_bar, in_qty, in_notional, out_qty, out_notional, costs]
    st = state[i]
    if s0 != 0.0 and (s1 == 0.0 or (s1 > 0.0) != (s0 > 0.0)):
        part = cost * abs(s0) / abs(s1 - s0)
        st[4] += abs(s0)
        st[5] += abs(s0) * price
        st[6] += part
        if n == trades.shape[0]:
            trades = _grow(trades)
        _emit(trades[n], i, st, t, 0.0)
        n += 1
        cost -= part
        st[:] = 0.0
        s0 = 0.0
    if s1 == 0.0:
        return trades, n
    if s0 == 0.0:
        st[0] = 1.0 if s1 > 0.0 else -1.0
        st[1] = t
    grow = abs(s1) - abs(s0)
    if grow > 0:
        st[2] += grow
        st[3] += grow * price
    else:
        st[4] -= grow
        st[5] -= grow * price
    st[6] += cost
    return trades, n


@njit(cache=True)
def _emit(row: FloatArray, i: int, st: FloatArray, t: int, is_open: float) -> None:  # pragma: no cover
    row[0] = i
    row[1] = st[1]
    row[2] = t
    row[3] = st[3] / st[2]
    row[4] = st[5] / st[4]
    row[5] = st[0] * st[2]
    row[6] = st[0] * (st[5] - st[3]) - st[6]
    row[7] = row[6] / st[3]
    row[8] = st[6]
    row[9] = is_open


@njit(cache=True)
def simulate(open_: FloatArray, close: FloatArray, weights: FloatArray, cost_rate: float,
             cash0: float, fill_at_close: bool, every_bar: bool, end_at_open: bool,
             ) -> tuple[FloatArray, FloatArray, FloatArray]:  # pragma: no cover
    n_bars, n_sym = close.shape
    equity = np.empty(n_bars)
    held = np.zeros((n_bars, n_sym))
    shares = np.zeros(n_sym)
    last_w = np.zeros(n_sym)
    state = np.zeros((n_sym, 7))
    trades = np.empty((16, _NT))
    n_tr = 0
    cash = cash0
    ruined = False
    fill_px = close if fill_at_close else open_
    for t in range(n_bars):
        if t > 0 and not ruined:
            e_fill = cash
            for i in range(n_sym):
                e_fill += shares[i] * fill_px[t, i]
            for i in range(n_sym):
                w = weights[t - 1, i]
                if not every_bar and w == last_w[i]:
                    continue
                last_w[i] = w
                p = fill_px[t, i]
                s1 = _target_shares(w, e_fill, p)
                d = s1 - shares[i]
                if d != 0.0:
                    cost = abs(d) * p * cost_rate
                    cash -= d * p + cost
                    trades, n_tr = _book_fill(state, trades, n_tr, i, t, shares[i], s1, p, cost)
                    shares[i] = s1
        if end_at_open and t == n_bars - 1 and not ruined:
            for i in range(n_sym):
                if shares[i] != 0.0:
                    cost = abs(shares[i]) * open_[t, i] * cost_rate
                    cash += shares[i] * open_[t, i] - cost
                    trades, n_tr = _book_fill(state, trades, n_tr, i, t, shares[i], 0.0, open_[t, i], cost)
                    shares[i] = 0.0
        e = cash
        for i in range(n_sym):
            e += shares[i] * close[t, i]
        if e <= 0.0 and not ruined:
            # Ruin: liquidate at this close at no cost, equity stays 0 from here on.
            for i in range(n_sym):
                if shares[i] != 0.0:
                    trades, n_tr = _book_fill(state, trades, n_tr, i, t, shares[i], 0.0, close[t, i], 0.0)
                    shares[i] = 0.0
            ruined = True
            cash = 0.0
        equity[t] = 0.0 if ruined else e
        for i in range(n_sym):
            held[t, i] = shares[i]
    for i in range(n_sym):  # still-open trades: marked to the last close
        if shares[i] != 0.0:
            st = state[i].copy()
            st[4] += abs(shares[i])
            st[5] += abs(shares[i]) * close[n_bars - 1, i]
            if n_tr == trades.shape[0]:
                trades = _grow(trades)
            _emit(trades[n_tr], i, st, n_bars - 1, 1.0)
            n_tr += 1
    return equity, held, trades[:n_tr]


@njit(cache=True, error_model="numpy")
def cross_stats(open_: FloatArray, close: FloatArray, fast: FloatArray, slow: FloatArray,
                cost_rate: float, cash0: float, fill_at_close: bool, long_only: bool,
                end_at_open: bool, ppy: float, out: FloatArray) -> None:  # pragma: no cover
    """Single-symbol SMA-cross backtest fused with its metrics, bar by bar (no per-bar arrays).

    The obvious reference of the sweep's event-driven `_sweep_kernels.cross_stats_fast` (tests
    prove them equal). Same accounting and order of operations as `simulate` with on-change
    fills; writes
    [total_return, annual_return, ann_vol, sharpe, sortino, max_drawdown, n_entries, final_equity]
    into ``out`` with the conventions of `trading_signals.risk.metrics`.
    """
    n_bars = close.size
    cash, shares, pos, last_w, ruined, n_entries = cash0, 0.0, 0.0, 0.0, False, 0
    prev, peak, mdd, s1r, s2r, down = cash0, cash0, 0.0, 0.0, 0.0, 0.0
    eq = cash0
    for t in range(n_bars):
        if t > 0 and not ruined and pos != last_w:
            px = close[t] if fill_at_close else open_[t]
            s1 = _target_shares(pos, cash + shares * px, px)
            last_w = pos
            d = s1 - shares
            if d != 0.0:
                cash -= d * px + abs(d) * px * cost_rate
                if s1 != 0.0 and (shares == 0.0 or (s1 > 0.0) != (shares > 0.0)):
                    n_entries += 1
                shares = s1
        if end_at_open and t == n_bars - 1 and not ruined and shares != 0.0:
            cash += shares * open_[t] - abs(shares) * open_[t] * cost_rate
            shares = 0.0
        e = cash + shares * close[t]
        if e <= 0.0 and not ruined:
            ruined, cash, shares = True, 0.0, 0.0
        eq = 0.0 if ruined else e
        r = eq / prev - 1.0 if prev > 0.0 else 0.0
        s1r += r
        s2r += r * r
        neg = min(r, 0.0)  # branchless: the sign of r is unpredictable
        down += neg * neg
        prev = eq
        if eq > peak:
            peak = eq
        elif eq < peak * (1.0 - mdd):  # deeper drawdown: only then divide
            mdd = 1.0 - eq / peak
        if t > 0:  # decision at the close of t, filled at t+1
            pos = _cross_step(fast[t - 1], slow[t - 1], fast[t], slow[t], pos, long_only)
    _finish_stats(out, eq / cash0, s1r, s2r, down, mdd, n_bars, ppy)
    out[6] = n_entries
    out[7] = eq


@njit(cache=True)
def _finish_stats(out: FloatArray, wealth: float, s1r: float, s2r: float, down: float, mdd: float,
                  n: int, ppy: float) -> None:  # pragma: no cover
    out[:6] = np.nan
    out[0] = wealth - 1.0
    out[1] = wealth ** (ppy / n) - 1.0 if wealth > 0.0 else -1.0
    mean = s1r / n
    if n > 1:
        sd = np.sqrt(max(s2r - s1r * mean, 0.0) / (n - 1))
        out[2] = sd * np.sqrt(ppy)
        if sd > 0.0:
            out[3] = mean / sd * np.sqrt(ppy)
        dr = np.sqrt(down / n)
        out[4] = mean * np.sqrt(ppy) / dr if dr > 0.0 else (np.inf if mean > 0.0 else np.nan)
    out[5] = min(mdd, 1.0)
