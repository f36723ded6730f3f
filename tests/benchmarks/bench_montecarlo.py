"""Monte Carlo benchmark: the seed prototype's loop vs the vectorized core vs the Ray fan-out.

Run: ``python tests/benchmarks/bench_montecarlo.py`` (prints a table; nothing is asserted).
Two reconstructions of the seed prototype are timed: the usual prototype pattern (a Python loop
over simulations drawing each path, then a Python call per path for its maximum drawdown), which
matches the ~290 ms the issue measured, and a faster variant looping over time steps instead.
"""

from __future__ import annotations

import os

import numpy as np

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from _timing import best_of
from trading_signals.risk.montecarlo import run_montecarlo


def seed_loop(mu: float, sigma: float, n_paths: int, horizon: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    dt = 1.0 / 252
    paths = np.zeros((n_paths, horizon + 1))
    paths[:, 0] = 1.0
    for t in range(1, horizon + 1):
        z = rng.standard_normal(n_paths)
        paths[:, t] = paths[:, t - 1] * np.exp((mu - 0.5 * sigma**2) * dt + sigma * np.sqrt(dt) * z)

    def max_drawdown(path: np.ndarray) -> float:
        peak = np.maximum.accumulate(path)
        return float(((path - peak) / peak).min())

    mdd = np.array([max_drawdown(p) for p in paths])
    return paths[:, -1], mdd


def seed_loop_per_path(mu: float, sigma: float, n_paths: int, horizon: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sims = np.zeros((n_paths, horizon))
    for i in range(n_paths):
        daily = rng.normal(mu / 252, sigma / np.sqrt(252), horizon)
        sims[i] = np.cumprod(1 + daily)

    def max_drawdown(path: np.ndarray) -> float:
        peak = np.maximum.accumulate(path)
        return float(((path - peak) / peak).min())

    mdd = np.array([max_drawdown(p) for p in sims])
    return sims[:, -1], mdd


def main() -> None:
    n_paths, horizon = 10_000, 252
    returns = np.random.default_rng(0).normal(0.0004, 0.012, 2520)
    run_montecarlo(returns, model="gbm", n_paths=2000, horizon=20)  # compile numba kernels
    rows = []
    t_seed = best_of(lambda: seed_loop_per_path(0.1, 0.19, n_paths, horizon, 0))
    rows.append(("seed prototype: loop over paths + per-path drawdown (GBM)", t_seed, 1.0))
    t_steps = best_of(lambda: seed_loop(0.1, 0.19, n_paths, horizon, 0))
    rows.append(("variant: loop over time steps + per-path drawdown (GBM)", t_steps, t_seed / t_steps))
    for model in ("gbm", "bootstrap", "garch"):
        run_montecarlo(returns, model=model, n_paths=2000, horizon=20)
        t = best_of(lambda m=model: run_montecarlo(returns, model=m, n_paths=n_paths, horizon=horizon, seed=1))
        rows.append((f"trading_signals run_montecarlo({model}) end to end", t, t_seed / t))

    import ray
    from trading_signals.distributed.montecarlo import run_montecarlo_ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    big = 200_000
    t_serial = best_of(lambda: run_montecarlo(returns, model="bootstrap", n_paths=big, horizon=horizon), 2)
    run_montecarlo_ray(returns, model="bootstrap", n_paths=big, horizon=horizon)
    t_ray = best_of(lambda: run_montecarlo_ray(returns, model="bootstrap", n_paths=big, horizon=horizon), 2)
    ray.shutdown()

    print(f"\nMonte Carlo, {n_paths:,} paths x {horizon} steps, one process (best of 3)")
    print(f"{'method':58s} {'ms':>9s} {'speed-up vs seed':>17s}")
    for name, t, ratio in rows:
        print(f"{name:58s} {t * 1e3:9.1f} {ratio:16.1f}x")
    print(f"\nRay fan-out, bootstrap, {big:,} paths x {horizon} steps (2 CPUs)")
    print(f"{'serial core':58s} {t_serial:9.2f} s")
    print(f"{'Ray tasks (2 shards)':58s} {t_ray:9.2f} s {t_serial / t_ray:15.2f}x")


if __name__ == "__main__":
    main()
