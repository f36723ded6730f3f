"""Sweep stage: an SMA grid cut into shards of pairs, one shard per work item."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.backtest.sweep import sma_pairs, sma_sweep
from trading_signals.workflow.executor import Executor, SerialExecutor


def sharded_sweep(
    prices: pd.DataFrame,
    fast_range: Iterable[int] | None = None,
    slow_range: Iterable[int] | None = None,
    *,
    pairs: np.ndarray | None = None,
    n_shards: int | None = None,
    executor: Executor | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Run :func:`~trading_signals.backtest.sma_sweep` over shards of the grid; rows in grid order.

    Serially (the default) the whole grid is one shard using the kernel's own threads; with
    another executor the grid is cut into ``n_shards`` shards (default 16), each run
    single-threaded (one task per CPU already).
    """
    all_pairs = sma_pairs(fast_range or (), slow_range or ()) if pairs is None else \
        np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    executor = executor or SerialExecutor()
    if isinstance(executor, SerialExecutor) or len(all_pairs) < 2:
        return sma_sweep(prices, pairs=all_pairs, **options)
    shards = [c for c in np.array_split(all_pairs, max(1, min(n_shards or 16, len(all_pairs)))) if len(c)]
    parts = executor.map(partial(_shard, prices, options), shards, name="sweep")
    return pd.concat(parts, ignore_index=True)


def _shard(prices: pd.DataFrame, options: dict[str, Any], pairs: np.ndarray) -> pd.DataFrame:
    return sma_sweep(prices, pairs=pairs, n_threads=1, **options)
