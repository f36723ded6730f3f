"""Monte Carlo paths sharded over Ray tasks; identical to the serial core for any shard count."""

from __future__ import annotations

from collections.abc import Sequence

import ray

from trading_signals._typing import FloatArray
from trading_signals.risk.montecarlo import (
    Block,
    BlockResult,
    MonteCarloResult,
    PathModel,
    PathSpec,
    fit_path_spec,
    plan_blocks,
    simulate_blocks,
    summarize_blocks,
)


@ray.remote(max_retries=2)
def _simulate_shard(spec: PathSpec, blocks: Sequence[Block]) -> list[BlockResult]:
    return simulate_blocks(spec, blocks)


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
    """Ray version of :func:`trading_signals.risk.montecarlo.run_montecarlo`.

    The model is fitted once on the driver; blocks of paths (each with its own spawned seed)
    are dealt round-robin to ``n_shards`` tasks (default: the cluster's CPU count). Results
    are equal to the serial path bit for bit.
    """
    from trading_signals.distributed.runtime import cluster_cpus

    spec = fit_path_spec(returns, model=model, horizon=horizon, mean_block=mean_block)
    blocks = plan_blocks(n_paths, seed=seed)
    shards = max(1, min(n_shards or cluster_cpus(), len(blocks)))
    spec_ref = ray.put(spec)
    groups = [blocks[i::shards] for i in range(shards)]
    results = ray.get([_simulate_shard.remote(spec_ref, g) for g in groups])
    flat = [r for group in results for r in group]
    return summarize_blocks(spec, flat)


