"""Overfitting statistics of an SMA grid agree with the risk functions applied by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trading_signals.backtest import run_backtest, strategies
from trading_signals.backtest.sweep import sma_pairs, sma_sweep
from trading_signals.backtest.sweep_overfitting import sma_grid_overfitting
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import ConfigError
from trading_signals.risk.overfitting import (
    deflated_sharpe_ratio,
    probability_of_backtest_overfitting,
    sharpe_per_period,
)


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return generate_universe(1, 700, seed=17).bars["SYN0000"]


def test_sma_grid_overfitting_matches_matrix_computation(prices) -> None:
    pairs = sma_pairs((5, 10, 15), (30, 60))
    got = sma_grid_overfitting(prices, pairs, n_splits=8, commission_bps=5.0)
    matrix = np.column_stack([
        run_backtest(prices, strategies.sma_cross(prices["close"], fast=f, slow=s), commission_bps=5.0)
        .returns.to_numpy()[1:] for f, s in pairs])
    sharpes = np.array([sharpe_per_period(matrix[:, j]) for j in range(matrix.shape[1])])
    best = int(np.argmax(sharpes))
    assert (got["best_fast"], got["best_slow"]) == tuple(float(x) for x in pairs[best])
    assert got["n_trials"] == len(pairs)
    assert got["pbo"] == probability_of_backtest_overfitting(matrix, n_splits=8).pbo
    assert got["deflated_sharpe"] == pytest.approx(
        deflated_sharpe_ratio(matrix[:, best], n_trials=len(pairs), trial_sharpes=sharpes))


def test_sma_grid_overfitting_best_pair_agrees_with_the_sweep(prices) -> None:
    pairs = sma_pairs((5, 10, 20), (40, 80))
    got = sma_grid_overfitting(prices, pairs)
    sweep = sma_sweep(prices, pairs=pairs)
    top = sweep.loc[sweep["sharpe"].idxmax()]
    assert (got["best_fast"], got["best_slow"]) == (float(top["fast"]), float(top["slow"]))


def test_sma_grid_overfitting_needs_two_trials(prices) -> None:
    with pytest.raises(ConfigError):
        sma_grid_overfitting(prices, [(5, 20)])
