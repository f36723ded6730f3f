"""Monte Carlo stage: the path model is fitted once, blocks of paths are the work items.

Block ``k`` has its own spawned seed (:func:`trading_signals.risk.montecarlo.plan_blocks`), so
any grouping of blocks into tasks gives the same paths: serial and Ray results are equal bit
for bit.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from trading_signals._typing import FloatArray
from trading_signals.config.risk import MonteCarloConfig
from trading_signals.data import storage
from trading_signals.data.runs import write_frame_atomic
from trading_signals.risk.montecarlo import (
    MonteCarloResult,
    check_size,
    fit_path_spec,
    plan_blocks,
    simulate_block,
    summarize_blocks,
)
from trading_signals.workflow.executor import Executor, Progress, SerialExecutor


def run_montecarlo(
    config: MonteCarloConfig,
    executor: Executor | None = None,
    *,
    returns: FloatArray,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """Simulate ``config.n_paths`` wealth paths of ``config.horizon`` bars from ``returns``.

    Same numbers as :func:`trading_signals.risk.montecarlo.run_montecarlo` for any executor.
    """
    check_size(config.n_paths, config.horizon)
    spec = fit_path_spec(np.asarray(returns, dtype=float), model=config.model,
                         horizon=config.horizon, mean_block=config.mean_block)
    blocks = plan_blocks(config.n_paths, seed=config.seed)
    results = (executor or SerialExecutor()).map(partial(simulate_block, spec), blocks,
                                                 name="montecarlo", progress=progress)
    return summarize_blocks(spec, results)


def write_montecarlo(res: MonteCarloResult, folder: str) -> dict[str, Any]:
    """Write ``fan.parquet`` and per-path ``paths.parquet`` under ``folder``; return the summary."""
    write_frame_atomic(res.fan, storage.join(folder, "fan.parquet"))
    paths = pd.DataFrame({"terminal_wealth": res.terminal_wealth, "max_drawdown": res.max_drawdown})
    write_frame_atomic(paths, storage.join(folder, "paths.parquet"))
    return dict(res.summary)
