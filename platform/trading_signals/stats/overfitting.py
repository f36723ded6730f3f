"""Overfitting statistics for parameter sweeps and walk-forward studies.

* Probabilistic and deflated Sharpe ratio (Bailey and López de Prado, 2012 and 2014).
* Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV,
  Bailey, Borwein, López de Prado and Zhu, 2015).

Sharpe ratios here are per period (not annualised), as in the papers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import stats

from trading_signals._typing import FloatArray
from trading_signals.errors import DataError

EULER_GAMMA = 0.5772156649015329


def sharpe_per_period(returns: FloatArray) -> float:
    """Mean over standard deviation (ddof=1) of per-period returns; NaN if flat."""
    r = np.asarray(returns, dtype=np.float64)
    r = r[np.isfinite(r)]
    sd = r.std(ddof=1) if r.size > 1 else 0.0
    return float(r.mean() / sd) if sd > 0 else float("nan")


def probabilistic_sharpe_ratio(returns: FloatArray, *, benchmark_sr: float = 0.0) -> float:
    """Probability that the true per-period Sharpe exceeds ``benchmark_sr``.

    ``PSR = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1) / 4 SR^2))`` with
    non-excess kurtosis, as in Bailey and López de Prado (2012), eq. 9.
    """
    r = np.asarray(returns, dtype=np.float64)
    r = r[np.isfinite(r)]
    if r.size < 3:
        raise DataError(f"PSR needs at least 3 returns, got {r.size}")
    sr = sharpe_per_period(r)
    if not np.isfinite(sr):
        return float("nan")
    skew = float(stats.skew(r))
    kurt = float(stats.kurtosis(r, fisher=False))
    denom = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr**2
    return float(stats.norm.cdf((sr - benchmark_sr) * np.sqrt(r.size - 1) / np.sqrt(max(denom, 1e-12))))


def expected_max_sharpe(*, n_trials: int, sr_variance: float) -> float:
    """Expected maximum of ``n_trials`` per-period Sharpe ratios under the null of no skill.

    ``SR* = sqrt(V) ((1 - g) Phi^-1(1 - 1/N) + g Phi^-1(1 - 1/(N e)))``, ``g`` the
    Euler-Mascheroni constant (Bailey and López de Prado, 2014, eq. 2).
    """
    if n_trials < 1:
        raise DataError(f"n_trials must be >= 1, got {n_trials}")
    if n_trials == 1:
        return 0.0
    z1 = stats.norm.ppf(1.0 - 1.0 / n_trials)
    z2 = stats.norm.ppf(1.0 - 1.0 / (n_trials * np.e))
    return float(np.sqrt(max(sr_variance, 0.0)) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2))


def deflated_sharpe_ratio(
    returns: FloatArray, *, n_trials: int, trial_sharpes: FloatArray | None = None,
    sr_variance: float | None = None,
) -> float:
    """Deflated Sharpe ratio: the PSR of the selected strategy against the expected maximum
    Sharpe of ``n_trials`` unskilled trials.

    Parameters
    ----------
    returns
        Per-period returns of the selected (best) configuration.
    n_trials
        The true number of configurations tried (all of them, not just the ones kept).
    trial_sharpes, sr_variance
        The per-period Sharpe ratios of all trials (their variance is used), or that variance.
    """
    if sr_variance is None:
        if trial_sharpes is None:
            raise DataError("deflated_sharpe_ratio needs trial_sharpes or sr_variance")
        s = np.asarray(trial_sharpes, dtype=np.float64)
        s = s[np.isfinite(s)]
        sr_variance = float(s.var(ddof=1)) if s.size > 1 else 0.0
    return probabilistic_sharpe_ratio(
        returns, benchmark_sr=expected_max_sharpe(n_trials=n_trials, sr_variance=sr_variance)
    )


@dataclass(frozen=True)
class PBOResult:
    """CSCV outcome: ``pbo`` and the logits of the in-sample winner's out-of-sample rank."""

    pbo: float
    logits: FloatArray
    n_splits: int
    n_combinations: int


def probability_of_backtest_overfitting(returns_matrix: FloatArray, *, n_splits: int = 16) -> PBOResult:
    """Estimate the probability of backtest overfitting with CSCV.

    Parameters
    ----------
    returns_matrix
        ``(T, N)`` per-period returns of N trials (configurations) over the same T bars.
    n_splits
        Even number S of contiguous row blocks; all C(S, S/2) in-sample/out-of-sample splits
        are evaluated.

    Returns
    -------
    PBOResult
        ``pbo`` is the share of splits where the in-sample best trial ranks at or below the
        out-of-sample median (logit <= 0).
    """
    m = np.asarray(returns_matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] < 2:
        raise DataError(f"returns_matrix must be (T, N) with N >= 2 trials, got shape {m.shape}")
    _check_splits(n_splits, m.shape[0])
    return pbo_from_block_stats(*block_stats(m, n_splits=n_splits))


def block_stats(returns_matrix: FloatArray, *, n_splits: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-block count, sum and sum of squares of each trial's returns: ``(S,), (S, N), (S, N)``.

    These are all CSCV needs, so trials can be reduced one at a time (or on Ray workers) without
    keeping the full ``(T, N)`` matrix. NaN returns count as 0.
    """
    m = np.nan_to_num(np.asarray(returns_matrix, dtype=np.float64), nan=0.0)
    if m.ndim == 1:
        m = m[:, None]
    blocks = np.array_split(np.arange(m.shape[0]), n_splits)
    counts = np.array([b.size for b in blocks], dtype=np.float64)
    sums = np.vstack([m[b].sum(axis=0) for b in blocks])
    squares = np.vstack([(m[b] ** 2).sum(axis=0) for b in blocks])
    return counts, sums, squares


def pbo_from_block_stats(counts: FloatArray, sums: FloatArray, squares: FloatArray) -> PBOResult:
    """CSCV from per-block statistics (see :func:`block_stats`); equal to the matrix version."""
    n_splits, n_trials = sums.shape
    if n_trials < 2:
        raise DataError(f"CSCV needs at least 2 trials, got {n_trials}")
    if n_splits < 2 or n_splits % 2:
        raise DataError(f"n_splits must be an even number >= 2, got {n_splits}")
    total_n, total_s, total_q = counts.sum(), sums.sum(axis=0), squares.sum(axis=0)
    logits = []
    for is_blocks in itertools.combinations(range(n_splits), n_splits // 2):
        idx = list(is_blocks)
        n_is, s_is, q_is = counts[idx].sum(), sums[idx].sum(axis=0), squares[idx].sum(axis=0)
        best = int(np.argmax(_sharpe_from_moments(n_is, s_is, q_is)))
        oos = _sharpe_from_moments(total_n - n_is, total_s - s_is, total_q - q_is)
        rank = stats.rankdata(oos)[best] / (n_trials + 1.0)  # relative rank in (0, 1)
        logits.append(np.log(rank / (1.0 - rank)))
    arr = np.asarray(logits)
    return PBOResult(pbo=float(np.mean(arr <= 0.0)), logits=arr, n_splits=n_splits, n_combinations=arr.size)


def _check_splits(n_splits: int, n_rows: int) -> None:
    if n_splits < 2 or n_splits % 2:
        raise DataError(f"n_splits must be an even number >= 2, got {n_splits}")
    if n_rows < 2 * n_splits:
        raise DataError(f"need at least {2 * n_splits} rows for {n_splits} splits, got {n_rows}")


def _sharpe_from_moments(n: float, s: FloatArray, q: FloatArray) -> FloatArray:
    mean = s / n
    var = np.maximum(q - n * mean**2, 0.0) / max(n - 1.0, 1.0)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 1e-15, mean / sd, -np.inf)
