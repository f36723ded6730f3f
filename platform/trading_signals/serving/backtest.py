"""Small synchronous backtests for ``POST /v1/backtest``, bounded in bars x symbols.

Larger studies (walk-forward, Monte Carlo, many symbols) belong in the Ray job
``jobs/backtest.py``; a request above the bound gets :class:`PayloadTooLargeError` (413) that
says so, before any signal is computed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.backtest import strategies
from trading_signals.backtest.engine import run_backtest
from trading_signals.errors import DataError
from trading_signals.serving.errors import PayloadTooLargeError
from trading_signals.serving.schemas import BacktestRequest
from trading_signals.serving.signals import SignalService
from trading_signals.serving.signals import _utc as to_utc

MAX_EQUITY_POINTS = 500
JOB_HINT = ("run it as a Ray job instead: `python jobs/backtest.py --config configs/backtest.yaml` "
            "(or `ray job submit --working-dir . -- python jobs/backtest.py --config ...`)")


def _utc(value: Any) -> pd.Timestamp | None:
    return None if value is None else to_utc(value)


def run_small_backtest(req: BacktestRequest, service: SignalService, *, max_cells: int,
                       max_symbols: int) -> dict[str, Any]:
    """Backtest ``req.strategy`` on the lake's bars of ``req.symbols`` in ``[start, end]``.

    Symbols are equally weighted (each target divided by the number of symbols) on the bars
    all of them share. Costs, fills and metrics are the backtest engine's (next-open fills).

    Notes
    -----
    Signals are computed from bars ``<= end`` only; the engine trades a decision taken at the
    close of bar t at bar t+1, so no bar influences a trade before it.
    """
    if len(req.symbols) > max_symbols:
        raise PayloadTooLargeError(f"{len(req.symbols)} symbols > {max_symbols} allowed synchronously; "
                                   + JOB_HINT)
    start, end = _utc(req.start), _utc(req.end)
    bars = {s: service.bars(s, req.timeframe).loc[start:end] for s in req.symbols}
    index = None
    for s, frame in bars.items():
        index = frame.index if index is None else index.intersection(frame.index)
    if index is None or len(index) < 2:
        raise DataError(f"symbols {req.symbols} share fewer than 2 bars in the window; widen start/end")
    cells = len(index) * len(req.symbols)
    if cells > max_cells:
        raise PayloadTooLargeError(f"{len(index)} bars x {len(req.symbols)} symbols = {cells} > "
                                   f"{max_cells} cells allowed synchronously; shorten the window or "
                                   + JOB_HINT)
    prices = {s: f.loc[index] for s, f in bars.items()}
    for s, f in prices.items():
        f.attrs.update(symbol=s, timeframe=req.timeframe)
    if req.strategy == "confluence":
        sigs = {s: service.signals(s, req.timeframe, as_of=index[-1])[0].reindex(index)
                for s in req.symbols}
        pos = strategies.confluence(sigs, long_only=req.long_only)
    else:
        close = pd.DataFrame({s: f["close"] for s, f in prices.items()})
        pos = strategies.sma_cross(close, fast=req.fast, slow=req.slow, long_only=req.long_only)
    pos = pos.astype(np.float64) / len(req.symbols)
    res = run_backtest(prices if len(prices) > 1 else next(iter(prices.values())),
                       pos if len(prices) > 1 else pos.iloc[:, 0],
                       commission_bps=req.commission_bps, slippage_bps=req.slippage_bps,
                       spread_bps=req.spread_bps, initial_cash=req.initial_cash)
    equity = res.equity
    step = max(1, math.ceil(len(equity) / MAX_EQUITY_POINTS))
    points = equity.iloc[::step]
    if points.index[-1] != equity.index[-1]:
        points = pd.concat([points, equity.iloc[[-1]]])
    return {
        "symbols": list(req.symbols), "strategy": req.strategy,
        "start": index[0].to_pydatetime(), "end": index[-1].to_pydatetime(), "bars": len(index),
        "metrics": {k: _num(v) for k, v in res.metrics.items() if _is_number(v)},
        "trades": len(res.trades),
        "equity": [{"timestamp": t.to_pydatetime(), "equity": float(v)} for t, v in points.items()],
    }


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None
