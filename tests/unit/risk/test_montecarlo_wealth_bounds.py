"""Wealth stays >= 0 and drawdowns in [0, 1] for every path model, whatever the input tails.

Before the fix, GARCH simulated *simple* returns ``mu + sqrt(h) * z``: with the near-integrated
fit of the S&P 500 sample (alpha + beta ~ 0.9995) and Student-t shocks, some paths drew returns
below -100%, so wealth went negative (-2.24) and ``max_drawdown_worst`` reached 1.37.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trading_signals.errors import ConfigError, DataError
from trading_signals.risk.montecarlo import (
    MAX_PATHS,
    RUIN_WEALTH,
    fit_path_spec,
    plan_blocks,
    run_montecarlo,
    simulate_blocks,
)
from trading_signals.risk.paths import (
    GarchParams,
    bootstrap_returns,
    garch_log_returns,
    garch_returns,
    gbm_returns,
)

MODELS = ["gbm", "bootstrap", "garch"]


def _assert_bounded(terminal: np.ndarray, mdd: np.ndarray, fan: np.ndarray | None = None) -> None:
    assert np.isfinite(terminal).all() and np.isfinite(mdd).all()
    assert (terminal >= 0).all(), f"negative wealth {terminal.min()}"
    assert ((mdd >= 0) & (mdd <= 1)).all(), f"drawdown out of [0, 1]: {mdd.min()}..{mdd.max()}"
    if fan is not None:
        assert (fan >= 0).all()


def test_readme_garch_example_on_sp500_keeps_wealth_non_negative() -> None:
    from trading_signals.data.sample import load_sample

    close = load_sample(["SP500"])[0].frame["close"].to_numpy()
    returns = close[1:] / close[:-1] - 1.0
    res = run_montecarlo(returns, model="garch", n_paths=10_000, horizon=252, seed=0)
    _assert_bounded(res.terminal_wealth, res.max_drawdown, res.fan.to_numpy())
    assert 0.0 <= res.summary["max_drawdown_worst"] <= 1.0
    assert res.summary["terminal_wealth_min"] >= 0.0
    # Ruin is reported, and consistent with the per-path drawdowns (ruin needs a >= 99% drawdown).
    assert res.summary["n_paths_ruined"] == pytest.approx(res.summary["prob_ruin"] * 10_000)
    assert res.summary["n_paths_ruined"] <= np.count_nonzero(res.max_drawdown >= 1 - RUIN_WEALTH)


def test_explosive_variance_path_is_bounded_not_negative() -> None:
    # A fit at the stationarity edge with fat t(2.5) shocks, started at 10% daily volatility:
    # simple-return GARCH gave returns < -1 here almost surely.
    params = GarchParams(mu=0.0, omega=1e-5, alpha=0.3, beta=0.7, nu=2.5, last_variance=0.01)
    logr = garch_log_returns(params, n_paths=2000, horizon=252, rng=np.random.default_rng(0))
    assert (np.abs(logr) > 1.0).any()  # shocks beyond +-100% in log terms do occur
    assert (garch_returns(params, n_paths=2000, horizon=252, rng=np.random.default_rng(0)) >= -1.0).all()


heavy_tailed = st.tuples(
    st.floats(2.05, 6.0),  # Student-t degrees of freedom: from barely finite variance to moderate
    st.floats(0.002, 0.15),  # scale of daily returns
    st.floats(-0.002, 0.002),  # drift
    st.integers(60, 600),  # history length
    st.integers(0, 2**31 - 1),  # seed
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=st.sampled_from(MODELS), tails=heavy_tailed, horizon=st.integers(1, 300))
def test_every_generator_keeps_wealth_and_drawdown_in_range(model: str, tails: tuple, horizon: int) -> None:
    nu, scale, drift, n, seed = tails
    rng = np.random.default_rng(seed)
    # Heavy-tailed simple returns, floored just above -100% (a return <= -1 is rejected as input).
    returns = np.maximum(drift + scale * rng.standard_t(nu, n), -0.99)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # arch convergence warnings on pathological series
        spec = fit_path_spec(returns, model=model, horizon=horizon)  # type: ignore[arg-type]
    results = simulate_blocks(spec, plan_blocks(1500, seed=seed))
    for r in results:
        _assert_bounded(r.terminal, r.max_drawdown, r.fan)
        assert ((r.min_wealth >= 0) & (r.min_wealth <= 1)).all()
        assert (r.min_wealth <= r.terminal + 1e-12).all()


@pytest.mark.parametrize("gen", ["gbm", "bootstrap", "garch"])
def test_simple_return_generators_never_below_minus_one(gen: str) -> None:
    rng = np.random.default_rng(1)
    if gen == "gbm":
        from trading_signals.risk.paths import GBMParams

        out = gbm_returns(GBMParams(mu=-0.5, sigma=3.0), n_paths=200, horizon=100, rng=rng)
    elif gen == "bootstrap":
        src = np.maximum(rng.standard_t(2.1, 500) * 0.3, -0.999)
        out = bootstrap_returns(src, n_paths=200, horizon=100, mean_block=5.0, rng=rng)
    else:
        params = GarchParams(mu=0.0, omega=1e-4, alpha=0.5, beta=0.5, nu=2.1, last_variance=0.25)
        out = garch_returns(params, n_paths=200, horizon=100, rng=rng)
    assert (out >= -1.0).all()


def test_explosive_or_invalid_garch_params_are_rejected() -> None:
    with pytest.raises(DataError, match="explodes"):
        garch_log_returns(GarchParams(0.0, 1e-6, 0.5, 0.6, 5.0, 1e-4), n_paths=1, horizon=1,
                          rng=np.random.default_rng(0))
    with pytest.raises(DataError, match="degrees of freedom"):
        garch_log_returns(GarchParams(0.0, 1e-6, 0.1, 0.8, 2.0, 1e-4), n_paths=1, horizon=1,
                          rng=np.random.default_rng(0))


@pytest.mark.parametrize(("n_paths", "horizon", "match"), [
    (0, 10, "n_paths"), (10, 0, "horizon"), (MAX_PATHS + 1, 10, "n_paths"), (100_000_000, 252, "n_paths"),
    (10, 10**9, "horizon"),
])
def test_size_is_checked_before_any_work(n_paths: int, horizon: int, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        run_montecarlo(np.zeros(10), model="gbm", n_paths=n_paths, horizon=horizon)
