"""SMA sweeps on Ray: the workflow's sharded sweep run by a :class:`RayExecutor` (an adapter)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.distributed.executor import RayExecutor
from trading_signals.workflow.sweep import sharded_sweep


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

    Identical to the serial sweep (same rows, same order): each pair is computed independently
    by the same kernel; ``prices`` go to the object store once.
    """
    return sharded_sweep(prices, fast_range, slow_range, pairs=pairs, n_shards=n_shards,
                         executor=RayExecutor(), **options)
