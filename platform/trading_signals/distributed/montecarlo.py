"""Monte Carlo on Ray: the workflow stage run by a :class:`RayExecutor` (an adapter only)."""

from __future__ import annotations

from trading_signals._typing import FloatArray
from trading_signals.config.risk import MonteCarloConfig
from trading_signals.distributed.executor import RayExecutor
from trading_signals.risk.montecarlo import MonteCarloResult, PathModel
from trading_signals.workflow.montecarlo import run_montecarlo


def run_montecarlo_ray(
    returns: FloatArray,
    *,
    model: PathModel = "bootstrap",
    n_paths: int = 10_000,
    horizon: int = 252,
    seed: int = 0,
    mean_block: float = 20.0,
    n_shards: int | None = None,
) -> MonteCarloResult:
    """Ray version of :func:`trading_signals.risk.montecarlo.run_montecarlo` (equal bit for bit).

    The model is fitted once on the driver; blocks of paths (each with its own spawned seed)
    run as Ray tasks, ``n_shards`` of them at a time (default: 2 x cluster CPUs).
    """
    from trading_signals.risk.montecarlo import check_size

    check_size(n_paths, horizon)
    cfg = MonteCarloConfig(model=model, n_paths=n_paths, horizon=horizon, seed=seed,
                           mean_block=mean_block)
    return run_montecarlo(cfg, RayExecutor(max_in_flight=n_shards), returns=returns)
