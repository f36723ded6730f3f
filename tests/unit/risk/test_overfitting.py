"""Deflated Sharpe ratio and CSCV probability of backtest overfitting."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from trading_signals.errors import DataError
from trading_signals.risk.overfitting import (
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
    sharpe_per_period,
)


def test_psr_is_calibrated_under_the_null() -> None:
    # With true Sharpe 0 and normal returns, PSR(0) is ~uniform: it exceeds 0.95 about 5% of the time.
    rng = np.random.default_rng(0)
    psr = np.array([probabilistic_sharpe_ratio(rng.normal(0, 0.01, 250)) for _ in range(800)])
    assert np.mean(psr > 0.95) == pytest.approx(0.05, abs=0.025)
    assert np.mean(psr) == pytest.approx(0.5, abs=0.05)


def test_psr_normal_case_matches_textbook_formula() -> None:
    r = np.random.default_rng(1).normal(0.001, 0.01, 500)
    sr = r.mean() / r.std(ddof=1)
    g3, g4 = stats.skew(r), stats.kurtosis(r, fisher=False)
    expected = stats.norm.cdf(sr * np.sqrt(499) / np.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr**2))
    assert probabilistic_sharpe_ratio(r) == pytest.approx(expected)


def test_expected_max_sharpe_matches_simulated_maximum() -> None:
    rng = np.random.default_rng(2)
    n_trials, t_len = 100, 500
    maxima = [max(sharpe_per_period(c) for c in rng.normal(0, 0.01, (n_trials, t_len))) for _ in range(60)]
    var_sr = 1.0 / t_len  # variance of a per-period Sharpe estimate around 0
    assert expected_max_sharpe(n_trials=n_trials, sr_variance=var_sr) == pytest.approx(np.mean(maxima), rel=0.1)


def test_dsr_deflates_the_best_of_many_noise_trials() -> None:
    rng = np.random.default_rng(3)
    trials = rng.normal(0, 0.01, (500, 200))
    sharpes = np.array([sharpe_per_period(trials[:, j]) for j in range(200)])
    best = trials[:, int(np.argmax(sharpes))]
    psr = probabilistic_sharpe_ratio(best)
    dsr = deflated_sharpe_ratio(best, n_trials=200, trial_sharpes=sharpes)
    assert psr > 0.95  # looks significant alone
    assert dsr < 0.9 and dsr < psr  # not once 200 trials are accounted for


def test_dsr_keeps_a_genuinely_skilled_strategy() -> None:
    rng = np.random.default_rng(4)
    trials = rng.normal(0, 0.01, (1000, 50))
    trials[:, 0] += 0.004
    sharpes = np.array([sharpe_per_period(trials[:, j]) for j in range(50)])
    assert deflated_sharpe_ratio(trials[:, 0], n_trials=50, trial_sharpes=sharpes) > 0.99


def test_dsr_more_trials_never_raises_it() -> None:
    r = np.random.default_rng(5).normal(0.0008, 0.01, 400)
    values = [deflated_sharpe_ratio(r, n_trials=n, sr_variance=1 / 400) for n in (1, 10, 100, 1000)]
    assert values == sorted(values, reverse=True)


def test_pbo_near_half_for_pure_noise_and_near_zero_for_skill() -> None:
    rng = np.random.default_rng(6)
    noise = [probability_of_backtest_overfitting(rng.normal(0, 0.01, (400, 20)), n_splits=8).pbo
             for _ in range(20)]
    assert np.mean(noise) == pytest.approx(0.5, abs=0.15)
    skilled = rng.normal(0, 0.01, (400, 20))
    skilled[:, 3] += 0.005
    assert probability_of_backtest_overfitting(skilled, n_splits=8).pbo < 0.05


def test_pbo_counts_all_combinations_and_validates_input() -> None:
    res = probability_of_backtest_overfitting(np.random.default_rng(7).normal(size=(100, 5)), n_splits=6)
    assert res.n_combinations == 20 and res.logits.size == 20
    with pytest.raises(DataError):
        probability_of_backtest_overfitting(np.zeros((100, 1)))
    with pytest.raises(DataError):
        probability_of_backtest_overfitting(np.zeros((100, 4)), n_splits=5)


def _naive_cscv(m: np.ndarray, n_splits: int) -> np.ndarray:
    import itertools

    blocks = np.array_split(np.arange(m.shape[0]), n_splits)
    logits = []
    for combo in itertools.combinations(range(n_splits), n_splits // 2):
        is_rows = np.concatenate([blocks[b] for b in combo])
        oos_rows = np.concatenate([blocks[b] for b in range(n_splits) if b not in combo])
        is_sr = [sharpe_per_period(m[is_rows, j]) for j in range(m.shape[1])]
        oos_sr = [sharpe_per_period(m[oos_rows, j]) for j in range(m.shape[1])]
        best = int(np.argmax(is_sr))
        rank = stats.rankdata(oos_sr)[best] / (m.shape[1] + 1)
        logits.append(np.log(rank / (1 - rank)))
    return np.asarray(logits)


def test_pbo_block_statistics_equal_a_naive_cscv() -> None:
    m = np.random.default_rng(8).normal(0.0002, 0.01, (240, 7))
    res = probability_of_backtest_overfitting(m, n_splits=6)
    np.testing.assert_allclose(res.logits, _naive_cscv(m, 6), rtol=1e-9)


def test_pbo_block_statistics_can_be_reduced_trial_by_trial() -> None:
    from trading_signals.risk.overfitting import block_stats, pbo_from_block_stats

    m = np.random.default_rng(9).normal(0.0, 0.01, (300, 5))
    counts, sums, squares = block_stats(m, n_splits=8)
    parts = [block_stats(m[:, j], n_splits=8) for j in range(5)]
    stacked = pbo_from_block_stats(parts[0][0], np.hstack([p[1] for p in parts]), np.hstack([p[2] for p in parts]))
    assert stacked.pbo == pbo_from_block_stats(counts, sums, squares).pbo
