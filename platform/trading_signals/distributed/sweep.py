"""SMA sweeps sharded across Ray tasks; equal, row for row, to the serial ``sma_sweep``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import ray

from trading_signals.backtest.sweep import sma_pairs, sma_sweep


@ray.remote(num_cpus=1)
def _shard_task(prices: pd.DataFrame, pairs: np.ndarray, options: dict[str, Any]) -> pd.DataFrame:
    # One Ray task per CPU already: more threads would oversubscribe the core.
    return sma_sweep(prices, pairs=pairs, n_threads=1, **options)


def sma_sweep_ray(
    prices: pd.DataFrame,
    fast_range: Iterable[int] | None = None,
    slow_range: Iterable[int] | None = None,
    *,
    pairs: np.ndarray | None = None,
    n_shards: int | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Run :func:`trading_signals.backtest.sma_sweep` with the pairs split across Ray tasks.

    Parameters
    ----------
    prices : DataFrame
        Canonical OHLCV frame; put in the object store once and shared by every shard.
    fast_range, slow_range, pairs
        As in ``sma_sweep``.
    n_shards : int, optional
        Number of tasks; defaults to the cluster's CPU count.
    **options
        Cost/fill options of ``sma_sweep``.

    Returns
    -------
    DataFrame
        Identical to the serial sweep (same rows, same order): each pair is computed
        independently by the same kernel.
    """
    from trading_signals.distributed.runtime import cluster_cpus

    all_pairs = sma_pairs(fast_range or (), slow_range or ()) if pairs is None else \
        np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    shards = max(1, min(n_shards or cluster_cpus(), len(all_pairs)))
    prices_ref = ray.put(prices)
    refs = [_shard_task.remote(prices_ref, chunk, dict(options))
            for chunk in np.array_split(all_pairs, shards) if len(chunk)]
    parts = ray.get(refs)
    if not parts:
        return sma_sweep(prices, pairs=all_pairs, **options)
    return pd.concat(parts, ignore_index=True)
