"""risk.metrics against empyrical-reloaded (signs handled: our losses are positive numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

empyrical = pytest.importorskip("empyrical")

from trading_signals.risk import metrics as m


@pytest.fixture(params=[0, 1, 2], ids=["seed0", "seed1", "seed2"])
def returns(request) -> pd.Series:
    rng = np.random.default_rng(request.param)
    r = rng.standard_t(4, 500) * 0.01 + 0.0004
    return pd.Series(r, index=pd.bdate_range("2020-01-01", periods=500, tz="UTC"))


@pytest.mark.parametrize("ppy", [252, 52])
def test_metrics_ratios_match_empyrical(returns, ppy):
    # Arrange / Act / Assert
    assert m.sharpe_ratio(returns, periods_per_year=ppy) == pytest.approx(
        empyrical.sharpe_ratio(returns, annualization=ppy), rel=1e-10)
    assert m.sortino_ratio(returns, periods_per_year=ppy) == pytest.approx(
        empyrical.sortino_ratio(returns, annualization=ppy), rel=1e-10)
    assert m.annual_return(returns, periods_per_year=ppy) == pytest.approx(
        empyrical.annual_return(returns, annualization=ppy), rel=1e-10)
    assert m.annual_volatility(returns, periods_per_year=ppy) == pytest.approx(
        empyrical.annual_volatility(returns, annualization=ppy), rel=1e-10)
    assert m.calmar_ratio(returns, periods_per_year=ppy) == pytest.approx(
        empyrical.calmar_ratio(returns, annualization=ppy), rel=1e-10)


def test_metrics_drawdown_and_total_return_match_empyrical_with_sign_flipped(returns):
    assert m.max_drawdown(returns) == pytest.approx(-empyrical.max_drawdown(returns), rel=1e-10)
    assert m.total_return(returns) == pytest.approx(empyrical.cum_returns_final(returns), rel=1e-10)


def test_metrics_var_cvar_historical_match_empyrical_as_positive_losses(returns):
    assert m.var_historical(returns) == pytest.approx(-empyrical.value_at_risk(returns), rel=1e-12)
    assert m.cvar_historical(returns) == pytest.approx(
        -empyrical.conditional_value_at_risk(returns), rel=1e-12)


def test_metrics_parametric_var_matches_scipy_gaussian_quantile(returns):
    # empyrical has no parametric VaR: compare with scipy's normal quantile / expected shortfall.
    from scipy import stats

    mu, sd = returns.mean(), returns.std(ddof=1)
    assert m.var_parametric(returns, cutoff=0.01) == pytest.approx(-stats.norm.ppf(0.01, mu, sd), rel=1e-10)
    tail = stats.norm.expect(lambda x: x, loc=mu, scale=sd, ub=stats.norm.ppf(0.05, mu, sd)) / 0.05
    assert m.cvar_parametric(returns) == pytest.approx(-tail, rel=1e-6)


def test_metrics_drawdown_duration_matches_naive_count():
    # Arrange: up, down 3 bars, recover, down 2 bars to the end
    r = np.array([0.1, -0.1, -0.1, 0.05, 0.5, -0.01, -0.01])
    # Act / Assert: below the peak at bars 1-3 (3 bars), then 5-6 (2 bars)
    assert m.max_drawdown_duration(r) == 3


def test_metrics_trade_stats_match_hand_computed():
    trades = pd.DataFrame({"pnl": [10.0, -5.0, 20.0, -5.0]})
    assert m.win_rate(trades) == 0.5
    assert m.profit_factor(trades) == 3.0
    assert np.isnan(m.win_rate(trades.iloc[:0]))
