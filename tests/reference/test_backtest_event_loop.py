"""The numba engine against a slow, obvious event loop written here (random targets with costs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.backtest import run_backtest
from trading_signals.data.synthetic import generate_universe


def _event_loop(open_, close, targets, *, cost, cash0, fill_at_close, every_bar,
                max_gross=None, max_net=None):
    """Bar by bar: at t >= 1 fill yesterday's (limited) targets, then mark at the close."""
    n_bars, n_sym = close.shape
    cash, shares, last = cash0, [0.0] * n_sym, [0.0] * n_sym
    equity, held, ruined = [], [], False
    for t in range(n_bars):
        if t > 0 and not ruined:
            w = list(targets[t - 1])
            gross, net = sum(abs(x) for x in w), abs(sum(w))
            scale = 1.0
            if max_gross is not None and gross > max_gross:
                scale = min(scale, max_gross / gross)
            if max_net is not None and net > max_net:
                scale = min(scale, max_net / net)
            w = [x * scale for x in w]
            price = close[t] if fill_at_close else open_[t]
            value = cash + sum(s * p for s, p in zip(shares, price))
            for i in range(n_sym):
                if not every_bar and w[i] == last[i]:
                    continue
                last[i] = w[i]
                want = w[i] * value / price[i] if value > 0 else 0.0
                traded = want - shares[i]
                cash -= traded * price[i] + abs(traded) * price[i] * cost
                shares[i] = want
        value = cash + sum(s * p for s, p in zip(shares, close[t]))
        if value <= 0 and not ruined:
            ruined, cash, shares = True, 0.0, [0.0] * n_sym
        equity.append(0.0 if ruined else value)
        held.append(list(shares))
    return np.array(equity), np.array(held)


@pytest.fixture(scope="module")
def panel():
    uni = generate_universe(4, 300, seed=5)
    return uni.bars


@pytest.mark.parametrize("fill", ["next_open", "next_close"])
@pytest.mark.parametrize("rebalance", ["on_change", "every_bar"])
def test_engine_random_targets_with_costs_match_event_loop(panel, fill, rebalance):
    # Arrange: sparse random decisions held for a while, long and short, some leverage
    rng = np.random.default_rng(0)
    syms = list(panel)
    idx = panel[syms[0]].index
    raw = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], size=(len(idx), len(syms)))
    keep = rng.random(len(idx)) < 0.8
    for t in range(1, len(idx)):
        if keep[t]:
            raw[t] = raw[t - 1]
    targets = pd.DataFrame(raw * 0.6, index=idx, columns=syms)
    open_ = np.column_stack([panel[s]["open"] for s in syms])
    close = np.column_stack([panel[s]["close"] for s in syms])
    # Act
    res = run_backtest(panel, targets, fill=fill, rebalance=rebalance, commission_bps=5,
                       slippage_bps=3, spread_bps=4, max_gross=1.5, max_net=0.8)
    ref_eq, ref_sh = _event_loop(open_, close, targets.to_numpy(), cost=(5 + 3 + 2) / 1e4,
                                 cash0=10_000.0, fill_at_close=fill == "next_close",
                                 every_bar=rebalance == "every_bar", max_gross=1.5, max_net=0.8)
    # Assert
    np.testing.assert_allclose(res.equity.to_numpy(), ref_eq, rtol=1e-10)
    np.testing.assert_allclose(res.shares.to_numpy(), ref_sh, rtol=1e-10, atol=1e-12)
    # Accounting identity: trade P&L (open trades marked at the last close) sums to the equity change.
    assert res.trades["pnl"].sum() == pytest.approx(res.equity.iloc[-1] - 10_000.0, rel=1e-9)
    assert (res.trades["costs"] > 0).all()


def test_engine_single_symbol_random_targets_match_event_loop(synthetic_ohlcv):
    # Arrange
    rng = np.random.default_rng(1)
    pos = pd.Series(rng.uniform(-1.5, 1.5, len(synthetic_ohlcv)).round(1), index=synthetic_ohlcv.index)
    o = synthetic_ohlcv[["open"]].to_numpy()
    c = synthetic_ohlcv[["close"]].to_numpy()
    # Act
    res = run_backtest(synthetic_ohlcv, pos, commission_bps=2, slippage_bps=1)
    ref_eq, _ = _event_loop(o, c, pos.to_numpy()[:, None], cost=3e-4, cash0=10_000.0,
                            fill_at_close=False, every_bar=False)
    # Assert
    np.testing.assert_allclose(res.equity.to_numpy(), ref_eq, rtol=1e-10)
