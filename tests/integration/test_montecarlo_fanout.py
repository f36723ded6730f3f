"""The Ray Monte Carlo fan-out equals the serial core for any shard count."""

from __future__ import annotations

import numpy as np
import pytest

from trading_signals.risk.montecarlo import run_montecarlo


@pytest.mark.ray
@pytest.mark.parametrize("model", ["gbm", "bootstrap"])
def test_montecarlo_ray_equals_serial_for_any_shards(ray_local: None, model: str) -> None:
    from trading_signals.distributed.montecarlo import run_montecarlo_ray

    returns = np.random.default_rng(0).normal(0.0002, 0.01, 800)
    serial = run_montecarlo(returns, model=model, n_paths=5000, horizon=60, seed=42)
    for shards in (1, 3):
        par = run_montecarlo_ray(returns, model=model, n_paths=5000, horizon=60, seed=42, n_shards=shards)
        assert par.summary == serial.summary
        np.testing.assert_array_equal(par.terminal_wealth, serial.terminal_wealth)
        np.testing.assert_array_equal(par.fan.to_numpy(), serial.fan.to_numpy())
