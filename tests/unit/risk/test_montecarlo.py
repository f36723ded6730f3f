"""Monte Carlo paths: reproducibility, sharding invariance, and agreement with closed forms/NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trading_signals.errors import ConfigError, DataError
from trading_signals.risk.montecarlo import (
    BLOCK_PATHS,
    fit_path_spec,
    plan_blocks,
    run_montecarlo,
    simulate_block,
    simulate_blocks,
    summarize_blocks,
)
from trading_signals.risk.paths import GarchParams, GBMParams, garch_returns, gbm_returns

MODELS = ["gbm", "bootstrap", "garch"]


@pytest.fixture(scope="module")
def strategy_returns() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.standard_t(5, 1500) * 0.01 + 0.0003


@pytest.mark.parametrize("model", MODELS)
def test_run_montecarlo_same_seed_identical(strategy_returns: np.ndarray, model: str) -> None:
    a = run_montecarlo(strategy_returns, model=model, n_paths=1500, horizon=40, seed=5)
    b = run_montecarlo(strategy_returns, model=model, n_paths=1500, horizon=40, seed=5)
    assert a.summary == b.summary
    np.testing.assert_array_equal(a.terminal_wealth, b.terminal_wealth)


def test_run_montecarlo_different_seed_differs(strategy_returns: np.ndarray) -> None:
    a = run_montecarlo(strategy_returns, model="gbm", n_paths=500, horizon=20, seed=1)
    b = run_montecarlo(strategy_returns, model="gbm", n_paths=500, horizon=20, seed=2)
    assert not np.array_equal(a.terminal_wealth, b.terminal_wealth)


@settings(max_examples=10, deadline=None)
@given(n_groups=st.integers(1, 7), seed=st.integers(0, 2**32 - 1))
def test_summarize_blocks_any_grouping_identical(n_groups: int, seed: int) -> None:
    # Shards are arbitrary groups of blocks, summarised in any order.
    spec = fit_path_spec(np.random.default_rng(0).normal(0, 0.01, 300), model="bootstrap", horizon=15)
    blocks = plan_blocks(3 * BLOCK_PATHS + 17, seed=seed)
    serial = summarize_blocks(spec, simulate_blocks(spec, blocks))
    groups = [blocks[i::n_groups] for i in range(n_groups)]
    shuffled = [r for g in reversed(groups) for r in simulate_blocks(spec, g)]
    sharded = summarize_blocks(spec, shuffled)
    assert sharded.summary == serial.summary
    np.testing.assert_array_equal(sharded.fan.to_numpy(), serial.fan.to_numpy())


def test_plan_blocks_covers_paths_exactly() -> None:
    blocks = plan_blocks(2 * BLOCK_PATHS + 5, seed=0)
    assert [b.n_paths for b in blocks] == [BLOCK_PATHS, BLOCK_PATHS, 5]
    with pytest.raises(ConfigError):
        plan_blocks(0, seed=0)


def test_gbm_log_terminal_matches_closed_form_moments() -> None:
    params = GBMParams(mu=0.0004, sigma=0.012)
    horizon, n = 60, 40_000
    rets = gbm_returns(params, n_paths=n, horizon=horizon, rng=np.random.default_rng(9))
    log_terminal = np.log1p(rets).sum(axis=1)
    se_mean = params.sigma * np.sqrt(horizon / n)
    assert abs(log_terminal.mean() - params.mu * horizon) < 4 * se_mean
    assert log_terminal.var(ddof=1) == pytest.approx(params.sigma**2 * horizon, rel=0.03)


def test_summary_var_cvar_match_numpy_quantiles(strategy_returns: np.ndarray) -> None:
    res = run_montecarlo(strategy_returns, model="gbm", n_paths=4000, horizon=30, seed=0)
    horizon_ret = res.terminal_wealth - 1.0
    for level in (95, 99):
        q = np.quantile(horizon_ret, 1 - level / 100)
        assert res.summary[f"var_{level}"] == pytest.approx(-q)
        assert res.summary[f"cvar_{level}"] == pytest.approx(-horizon_ret[horizon_ret <= q].mean())
        assert res.summary[f"cvar_{level}"] >= res.summary[f"var_{level}"]
    assert res.summary["prob_loss"] == pytest.approx(np.mean(horizon_ret < 0))


@pytest.mark.parametrize("model", MODELS)
def test_drawdowns_bounded_and_consistent_with_terminal(strategy_returns: np.ndarray, model: str) -> None:
    res = run_montecarlo(strategy_returns, model=model, n_paths=1200, horizon=50, seed=4)
    mdd = res.max_drawdown
    assert np.all((mdd >= 0) & (mdd <= 1))
    # A path ending below its start fell at least that far from its peak (which is >= 1).
    assert np.all(mdd + 1e-12 >= np.clip(1 - res.terminal_wealth, 0, None))
    assert res.summary["max_drawdown_worst"] == pytest.approx(mdd.max())


def test_drawdown_kernel_matches_naive_loop() -> None:
    spec = fit_path_spec(np.random.default_rng(1).normal(0, 0.02, 400), model="bootstrap", horizon=25)
    block = plan_blocks(50, seed=8)[0]
    out = simulate_block(spec, block)
    rets = _bootstrap_paths_for(spec, block)
    for i in range(50):
        wealth = np.cumprod(1 + rets[i])
        peak = np.maximum.accumulate(np.concatenate([[1.0], wealth]))[1:]
        assert out.max_drawdown[i] == pytest.approx(max(0.0, np.max(1 - wealth / peak)))
        assert out.terminal[i] == pytest.approx(wealth[-1])


def _bootstrap_paths_for(spec, block):  # same draws as simulate_block, unreduced
    from trading_signals.risk.paths import bootstrap_returns

    rng = np.random.default_rng(block.seed)
    return bootstrap_returns(spec.params, n_paths=block.n_paths, horizon=spec.horizon,
                             mean_block=spec.mean_block, rng=rng)


def test_bootstrap_draws_only_observed_returns_with_expected_block_length() -> None:
    from trading_signals.risk.paths import bootstrap_returns

    source = np.arange(1, 501) / 10_000.0  # distinct values reveal positions
    paths = bootstrap_returns(source, n_paths=300, horizon=200, mean_block=10.0, rng=np.random.default_rng(2))
    assert np.isin(paths, source).all()
    pos = np.rint(paths * 10_000).astype(int) - 1
    continues = (np.diff(pos, axis=1) % source.size) == 1
    mean_len = 1.0 / (1.0 - continues.mean())
    assert mean_len == pytest.approx(10.0, rel=0.1)


def test_garch_fit_recovers_persistence_of_simulated_series() -> None:
    truth = GarchParams(mu=0.0003, omega=2e-6, alpha=0.08, beta=0.9, nu=6.0, last_variance=1e-4)
    sim = garch_returns(truth, n_paths=1, horizon=6000, rng=np.random.default_rng(11))[0]
    fitted = GarchParams.fit(sim)
    assert fitted.alpha + fitted.beta == pytest.approx(truth.alpha + truth.beta, abs=0.04)
    assert fitted.nu == pytest.approx(truth.nu, rel=0.5)


def test_path_models_reject_too_little_or_impossible_data() -> None:
    with pytest.raises(DataError):
        fit_path_spec(np.array([0.01]), model="gbm", horizon=10)
    with pytest.raises(DataError):
        fit_path_spec(np.array([0.01, -1.5, 0.02]), model="bootstrap", horizon=10)
    with pytest.raises(ConfigError):
        fit_path_spec(np.zeros(100), model="nope", horizon=10)  # type: ignore[arg-type]


def test_gbm_fused_kernel_matches_returns_then_naive_loop() -> None:
    # The GBM block compounds log returns inside its kernel; it must equal simulating the
    # returns with gbm_returns (same draws) and measuring wealth and drawdown naively.
    spec = fit_path_spec(np.random.default_rng(2).normal(0.0003, 0.015, 500), model="gbm", horizon=30)
    block = plan_blocks(40, seed=13)[0]
    out = simulate_block(spec, block)
    rets = gbm_returns(spec.params, n_paths=40, horizon=30, rng=np.random.default_rng(block.seed))
    wealth = np.cumprod(1 + rets, axis=1)
    peak = np.maximum.accumulate(np.hstack([np.ones((40, 1)), wealth]), axis=1)[:, 1:]
    np.testing.assert_allclose(out.terminal, wealth[:, -1], rtol=1e-12)
    np.testing.assert_allclose(out.max_drawdown, np.max(1 - wealth / peak, axis=1).clip(0), atol=1e-12)
    np.testing.assert_allclose(out.fan, wealth[:, np.asarray(spec.fan_steps) - 1], rtol=1e-12)


def test_fan_chart_equals_numpy_percentiles_of_wealth_paths() -> None:
    spec = fit_path_spec(np.random.default_rng(4).normal(0.0, 0.01, 300), model="bootstrap", horizon=40)
    blocks = plan_blocks(3000, seed=2)
    results = simulate_blocks(spec, blocks)
    res = summarize_blocks(spec, results)
    paths = np.vstack([r.fan for r in results])
    expected = np.percentile(paths, [5, 25, 50, 75, 95], axis=0).T
    np.testing.assert_allclose(res.fan.to_numpy(), expected, rtol=1e-12)
