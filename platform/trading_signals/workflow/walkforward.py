"""Walk-forward stage: every (symbol, window) pair is one work item, resumable per window.

Each item fits the strategy on its training bars and trades its test bars
(:func:`trading_signals.backtest.walkforward.run_window`), then saves itself to the symbol's
checkpoint store, so an interrupted study resumes from the finished windows whichever executor
ran them. The driver stitches each symbol's windows into one out-of-sample curve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from trading_signals.backtest.walkforward import (
    SmaCrossSearch,
    WalkForwardResult,
    WalkForwardStrategy,
    WindowResult,
    load_finished,
    run_window,
    stitch,
    with_grid_pbo,
)
from trading_signals.backtest.windows import Window, make_windows
from trading_signals.config.backtest import BacktestConfig
from trading_signals.config.risk import WalkForwardConfig
from trading_signals.config.signals import SignalsConfig
from trading_signals.data import storage
from trading_signals.data.checkpoints import CheckpointStore, fingerprint
from trading_signals.data.lake import read_bars
from trading_signals.data.runs import write_frame_atomic
from trading_signals.errors import ConfigError
from trading_signals.observability.metrics import counter
from trading_signals.signals.components import ModelComponent
from trading_signals.workflow.executor import Executor, Progress, SerialExecutor

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # object addresses differ run to run


def make_strategy(wf: WalkForwardConfig, backtest: BacktestConfig, *,
                  signals: SignalsConfig | None = None, horizon: int = 1,
                  long_only: bool = False, model: ModelComponent | None = None) -> WalkForwardStrategy:
    """Return the strategy ``risk.walkforward.strategy`` names, costed like ``backtest``.

    ``sma_cross`` searches the ``fast`` x ``slow`` grid; ``confluence`` searches the confluence
    weights and score bands per window (:class:`~trading_signals.backtest.wf_strategies.ConfluenceSearch`,
    with the ``signals`` section's warm-up and volatility settings and, when given, a point-in-time
    ``model`` component among the searched weights); ``model`` retrains a
    LightGBM per window on its training rows, labels ``horizon`` bars ahead, purged by
    ``horizon`` and embargoed by ``wf.embargo`` (:class:`~trading_signals.backtest.wf_strategies.ModelSearch`).
    """
    costs = {"commission_bps": backtest.commission_bps, "slippage_bps": backtest.slippage_bps}
    if wf.strategy == "sma_cross":
        return SmaCrossSearch(fast=wf.fast, slow=wf.slow, long_only=long_only, **costs)
    from trading_signals.backtest.wf_strategies import ConfluenceSearch, ModelSearch

    if wf.strategy == "confluence":
        return ConfluenceSearch(long_only=long_only, config=signals or SignalsConfig(), model=model,
                                **costs)
    if wf.strategy == "model":
        return ModelSearch(horizon=horizon, embargo=wf.embargo, long_only=long_only)
    raise ConfigError(f"risk.walkforward.strategy={wf.strategy!r}: use sma_cross, confluence or model")


@dataclass(frozen=True)
class WindowItem:
    """One unit of walk-forward work: a symbol's window."""

    symbol: str
    window: Window

    @property
    def label(self) -> str:
        return f"{self.symbol}/w{self.window.index}"


def window_task(item: WindowItem, *, prices: Mapping[str, pd.DataFrame],
                strategy: WalkForwardStrategy, engine: BacktestConfig,
                stores: Mapping[str, CheckpointStore]) -> WindowResult:
    """Run one window and save it to its symbol's store before returning."""
    # A writable copy: frames from the Ray object store are read-only views, which some
    # explicitly-typed numba kernels reject; the copy costs microseconds per window.
    frame = prices[item.symbol].copy(deep=True)
    result = run_window(frame, item.window, strategy=strategy, engine=engine)
    stores[item.symbol].save(item.window.index, *result.to_record())
    counter("tsig_windows_done").inc(1, {"stage": "walkforward"})
    return result


def run_walkforward(
    wf: WalkForwardConfig,
    backtest: BacktestConfig,
    executor: Executor | None = None,
    *,
    lake: str,
    run_dir: str,
    symbols: list[str],
    timeframe: str = "1d",
    strategy: WalkForwardStrategy | None = None,
    signals: SignalsConfig | None = None,
    horizon: int = 1,
    model: ModelComponent | None = None,
    progress: Progress | None = None,
) -> dict[str, WalkForwardResult]:
    """Walk ``symbols`` forward; write ``walkforward/<symbol>/{returns,windows}.parquet``.

    Parameters
    ----------
    wf, backtest
        The ``risk.walkforward`` and ``backtest`` sections (every engine option is used).
    executor
        Serial (default) or Ray: windows of every symbol are one pool of work items.
    strategy
        Overrides the strategy ``wf.strategy`` names (:func:`make_strategy`).

    Notes
    -----
    Each window's parameters see only its training bars; the test block starts ``purge +
    embargo`` bars later. Finished windows are checkpointed under
    ``walkforward/<symbol>/windows/`` and skipped on a rerun with the same inputs.
    """
    if not symbols:
        raise ConfigError("walk-forward: no symbols to walk forward (check --symbols or "
                          "study.walkforward_symbols against the lake)")
    strategy = strategy or make_strategy(wf, backtest, signals=signals, horizon=horizon, model=model)
    prices = {s: read_bars(lake, symbol=s, timeframe=timeframe) for s in symbols}
    windows: dict[str, list[Window]] = {}
    stores: dict[str, CheckpointStore] = {}
    items: list[WindowItem] = []
    done: dict[str, dict[int, WindowResult]] = {}
    for sym, frame in prices.items():
        windows[sym] = make_windows(frame.index, train=wf.train, test=wf.test, step=wf.step,
                                    anchored=wf.anchored, purge=wf.purge, embargo=wf.embargo)
        key = fingerprint(frame, {"wf": wf.model_dump(mode="json"),
                                  "engine": backtest.model_dump(mode="json"),
                                  "strategy": _ADDRESS.sub("", repr(strategy))})
        stores[sym] = _store(storage.join(run_dir, "walkforward", sym, "windows"), key)
        done[sym] = load_finished(stores[sym])
        items.extend(WindowItem(sym, w) for w in windows[sym] if w.index not in done[sym])
    fn = partial(window_task, prices=prices, strategy=strategy, engine=backtest, stores=stores)
    executor = executor or SerialExecutor()
    fresh = executor.map(fn, items, name="walkforward", progress=progress)
    for item, result in zip(items, fresh, strict=True):
        done[item.symbol][item.window.index] = result
    out: dict[str, WalkForwardResult] = {}
    for sym, frame in prices.items():
        res = stitch(frame, windows[sym], done[sym], initial_cash=backtest.initial_cash)
        res = with_grid_pbo(res, frame, strategy, backtest)
        folder = storage.join(run_dir, "walkforward", sym)
        write_frame_atomic(res.returns.to_frame("return"), storage.join(folder, "returns.parquet"))
        write_frame_atomic(res.windows.reset_index(drop=True), storage.join(folder, "windows.parquet"))
        out[sym] = res
    return out


def _store(directory: str, key: str) -> CheckpointStore:
    # The run directory was already checked to belong to this run (same config and data); a
    # window store with another key there holds stale, unfinished work (e.g. a retrained model
    # version): start it afresh rather than mixing windows.
    try:
        return CheckpointStore(directory, key)
    except ConfigError:
        storage.delete(directory, recursive=True)  # a local dir or an object-store prefix
        return CheckpointStore(directory, key)


def walkforward_summary(res: WalkForwardResult) -> dict[str, Any]:
    """Return the study's per-symbol line: windows, out-of-sample metrics, overfitting."""
    keep = ("total_return", "sharpe", "max_drawdown")
    return {"windows": len(res.windows),
            **{f"oos_{k}": v for k, v in res.metrics.items() if k in keep}, **res.overfitting}
