"""Walk-forward windows as Ray tasks: retried on failure, resumable, equal to the serial runner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import ray

from trading_signals.backtest.walkforward import (
    WalkForwardResult,
    WalkForwardStrategy,
    WindowResult,
    load_finished,
    run_window,
    stitch,
    with_grid_pbo,
)
from trading_signals.backtest.windows import Window
from trading_signals.data.checkpoints import CheckpointStore

# A window that raises (e.g. a worker lost, a transient error) is retried this many times.
WINDOW_RETRIES = 2


@ray.remote(max_retries=WINDOW_RETRIES, retry_exceptions=True)
def _window_task(prices: pd.DataFrame, window: Window, strategy: WalkForwardStrategy,
                 engine: Mapping[str, Any]) -> WindowResult:
    return run_window(prices, window, strategy=strategy, engine=engine)


def run_walk_forward_ray(
    prices: pd.DataFrame,
    windows: Sequence[Window],
    *,
    strategy: WalkForwardStrategy,
    engine: Mapping[str, Any] | None = None,
    store: CheckpointStore | None = None,
) -> WalkForwardResult:
    """Run each window not yet in ``store`` as a Ray task, save it as it finishes, then stitch.

    Notes
    -----
    The prices go to the object store once (``ray.put``). Results are saved as each task
    completes, so an interrupted study resumes from the finished windows.
    """
    engine = dict(engine or {})
    done = load_finished(store)
    prices_ref = ray.put(prices)
    pending = {
        _window_task.remote(prices_ref, w, strategy, engine): w.index
        for w in windows if w.index not in done
    }
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        result: WindowResult = ray.get(ready[0])
        pending.pop(ready[0])
        done[result.window.index] = result
        if store is not None:
            store.save(result.window.index, *result.to_record())
    res = stitch(prices, windows, done, initial_cash=float(engine.get("initial_cash", 10_000.0)))
    return with_grid_pbo(res, prices, strategy, engine)
