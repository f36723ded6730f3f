"""The public backtest entry point: target exposures in, equity/trades/metrics out."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from trading_signals.backtest import _kernels
from trading_signals.backtest._inputs import PERIODS_PER_YEAR, Aligned, Positions, Prices, align
from trading_signals.backtest.result import BacktestResult
from trading_signals.backtest.sizing import limit_exposure, vol_target
from trading_signals.errors import ConfigError

Fill = Literal["next_open", "next_close"]


def cost_rate(*, commission_bps: float, slippage_bps: float, spread_bps: float) -> float:
    """Return the cost per unit of traded notional: commission + slippage + half the spread.

    >>> cost_rate(commission_bps=1.0, slippage_bps=2.0, spread_bps=4.0)
    0.0005
    """
    for name, v in (("commission_bps", commission_bps), ("slippage_bps", slippage_bps),
                    ("spread_bps", spread_bps)):
        if not math.isfinite(v) or v < 0:
            raise ConfigError(f"{name} must be a finite number >= 0, got {v!r}")
    return (commission_bps + slippage_bps + spread_bps / 2.0) / 1e4


def run_backtest(
    prices: Prices,
    positions: Positions,
    *,
    fill: Fill = "next_open",
    commission_bps: float = 0.0,
    slippage_bps: float = 0.0,
    spread_bps: float = 0.0,
    initial_cash: float = 10_000.0,
    max_gross: float | None = None,
    max_net: float | None = None,
    target_vol: float | None = None,
    vol_window: int = 20,
    max_vol_scale: float = 3.0,
    rebalance: Literal["on_change", "every_bar"] = "on_change",
    close_at_end: Literal["last_close", "last_open"] = "last_close",
    periods_per_year: float | None = None,
) -> BacktestResult:
    """Simulate trading target exposures decided at each close.

    Parameters
    ----------
    prices : DataFrame | dict[str, DataFrame] | {"open": wide, "close": wide}
        A canonical OHLCV frame (one symbol), a panel of canonical frames with identical indexes,
        or wide open/close frames (index = timestamps, columns = symbols).
    positions : Series | DataFrame
        Target exposure per bar (and symbol) as a signed fraction of equity (1 = fully long,
        -0.5 = half short). Its index must be a subset of the price index.
    fill : {"next_open", "next_close"}
        Fill a decision taken at the close of bar ``t`` at the open / close of bar ``t+1``.
    commission_bps, slippage_bps, spread_bps : float
        Costs on traded notional; the spread costs half of ``spread_bps`` per side.
    initial_cash : float
        Starting equity.
    max_gross, max_net : float, optional
        Per-bar exposure limits; targets are scaled down proportionally to respect them.
    target_vol, vol_window, max_vol_scale : optional
        Volatility targeting: scale each symbol's target by ``target_vol / trailing vol`` (capped).
    rebalance : {"on_change", "every_bar"}
        Trade a symbol only when its sized target changes (shares are then held and the exposure
        drifts, as backtesting.py does) or re-size every bar.
    close_at_end : {"last_close", "last_open"}
        Mark a still-open position to the last close (trade reported with ``is_open=True``) or
        close it at the last bar's open (backtesting.py's ``finalize_trades=True``).
    periods_per_year : float, optional
        Annualization; inferred from ``attrs["timeframe"]`` (252 for daily) when omitted.

    Returns
    -------
    BacktestResult
        Frames and metrics are computed lazily on first access, so short windows stay cheap.

    Raises
    ------
    DataError
        Misaligned indexes, unknown symbols, NaN targets or non-positive prices.
    ConfigError
        Invalid option values.

    Notes
    -----
    No look-ahead and no same-bar fill: the target at ``t`` is traded at bar ``t+1`` sized with
    equity marked at the fill prices, so returns of bar ``t`` depend on decisions up to ``t-1``.
    Bars missing from ``positions`` hold the previous target (flat before the first one); NaN
    targets are an error (use 0 for flat). When equity at a close is <= 0 every position is
    liquidated at that close (no costs), equity stays 0 and trading stops. A fill never opens
    exposure from non-positive equity.
    """
    if fill not in ("next_open", "next_close") or rebalance not in ("on_change", "every_bar") \
            or close_at_end not in ("last_close", "last_open"):
        raise ConfigError(f"unknown option: fill={fill!r}, rebalance={rebalance!r}, "
                          f"close_at_end={close_at_end!r}")
    if not initial_cash > 0:
        raise ConfigError(f"initial_cash must be > 0, got {initial_cash!r}")
    rate = cost_rate(commission_bps=commission_bps, slippage_bps=slippage_bps, spread_bps=spread_bps)
    data = align(prices, positions)
    ppy = periods_per_year or PERIODS_PER_YEAR.get(data.timeframe or "1d", 252)
    weights = _size(data, ppy=ppy, target_vol=target_vol, vol_window=vol_window,
                    max_vol_scale=max_vol_scale, max_gross=max_gross, max_net=max_net)
    equity, held, raw_trades = _kernels.simulate(
        data.open, data.close, weights, rate, float(initial_cash), fill == "next_close",
        rebalance == "every_bar", close_at_end == "last_open",
    )
    config = {"fill": fill, "commission_bps": commission_bps, "slippage_bps": slippage_bps,
              "spread_bps": spread_bps, "initial_cash": initial_cash, "max_gross": max_gross,
              "max_net": max_net, "target_vol": target_vol, "vol_window": vol_window,
              "max_vol_scale": max_vol_scale, "rebalance": rebalance,
              "close_at_end": close_at_end, "periods_per_year": ppy}
    return BacktestResult(data.index, data.symbols, equity, held, data.close, raw_trades, config)


def _size(data: Aligned, *, ppy: float, target_vol: float | None, vol_window: int,
          max_vol_scale: float, max_gross: float | None, max_net: float | None) -> np.ndarray:
    w = data.weights
    if target_vol is not None:
        w = vol_target(w, data.close, target_vol=target_vol, window=vol_window,
                       periods_per_year=ppy, max_scale=max_vol_scale)
    if max_gross is not None or max_net is not None:
        if (max_gross is not None and max_gross < 0) or (max_net is not None and max_net < 0):
            raise ConfigError("max_gross and max_net must be >= 0")
        w = limit_exposure(w, max_gross=max_gross, max_net=max_net)
    return np.ascontiguousarray(w, dtype=np.float64)
