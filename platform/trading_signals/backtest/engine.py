"""The public backtest entry point: target exposures in, equity/trades/metrics out."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError

from trading_signals.backtest import _kernels
from trading_signals.backtest._inputs import PERIODS_PER_YEAR, Aligned, Positions, Prices, align
from trading_signals.backtest.result import BacktestResult
from trading_signals.backtest.sizing import limit_exposure, vol_target
from trading_signals.config._base import format_validation_error
from trading_signals.config.backtest import BacktestConfig
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
    config: BacktestConfig | None = None,
    **overrides: Any,
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
    config : BacktestConfig, optional
        Every engine option at once (the ``backtest`` section of a run config). Without it the
        engine is frictionless: :data:`ENGINE_DEFAULTS` (``BacktestConfig`` with zero
        commission and slippage).
    **overrides
        Any :class:`~trading_signals.config.backtest.BacktestConfig` field, validated with it
        (an unknown keyword or an invalid value raises ``ConfigError``). The fields are:
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
    cfg = engine_config(config, **overrides)
    rate = cost_rate(commission_bps=cfg.commission_bps, slippage_bps=cfg.slippage_bps,
                     spread_bps=cfg.spread_bps)
    data = align(prices, positions)
    ppy = cfg.periods_per_year or PERIODS_PER_YEAR.get(data.timeframe or "1d", 252)
    weights = _size(data, ppy=ppy, target_vol=cfg.target_vol, vol_window=cfg.vol_window,
                    max_vol_scale=cfg.max_vol_scale, max_gross=cfg.max_gross, max_net=cfg.max_net)
    equity, held, raw_trades = _kernels.simulate(
        data.open, data.close, weights, rate, float(cfg.initial_cash), cfg.fill == "next_close",
        cfg.rebalance == "every_bar", cfg.close_at_end == "last_open",
    )
    used = {**cfg.model_dump(), "periods_per_year": ppy}
    return BacktestResult(data.index, data.symbols, equity, held, data.close, raw_trades, used)


#: The engine's options when ``run_backtest`` gets no config: frictionless fills.
ENGINE_DEFAULTS = BacktestConfig(commission_bps=0.0, slippage_bps=0.0)


def engine_config(config: BacktestConfig | None = None, **overrides: Any) -> BacktestConfig:
    """Return ``config`` (default :data:`ENGINE_DEFAULTS`) with ``overrides`` applied and validated.

    An unknown keyword (``comission_bps``) or an invalid value raises ``ConfigError``.

    >>> engine_config(commission_bps=2.5).commission_bps
    2.5
    """
    base = ENGINE_DEFAULTS if config is None else config
    if not isinstance(base, BacktestConfig):
        raise ConfigError(f"run_backtest: config must be a BacktestConfig, got {type(base).__name__}")
    if not overrides:
        return base
    unknown = sorted(set(overrides) - set(BacktestConfig.model_fields))
    if unknown:
        raise ConfigError(f"run_backtest: unknown option(s) {unknown}; valid options are the "
                          f"BacktestConfig fields {sorted(BacktestConfig.model_fields)}")
    merged = {**base.model_dump(exclude_unset=True), **overrides}
    try:
        return BacktestConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source="run_backtest options")) from exc


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
