"""Monte Carlo path generators: GBM, stationary block bootstrap, GARCH(1,1) with Student-t shocks.

Every generator takes an explicit ``numpy.random.Generator`` and returns a ``(n_paths, horizon)``
array of per-period returns, so the caller controls seeding (see :mod:`.montecarlo`).

All three models live in *log-return* space (``log(1 + r)``): a log return of any size maps to a
simple return above -100%, so compounded wealth can approach zero but never turn negative, and a
drawdown stays within [0, 1]. (GARCH on simple returns, as fitted before, let the simulated
variance of a near-integrated fit produce returns below -100%: negative wealth, drawdowns > 1.)
The ``*_log_returns`` functions are what :mod:`.montecarlo` compounds; the ``*_returns`` ones
give the same draws as simple returns (``expm1`` of the log returns).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numba import njit

from trading_signals._typing import FloatArray
from trading_signals.errors import DataError


@dataclass(frozen=True)
class GBMParams:
    """Per-period drift ``mu`` and volatility ``sigma`` of log returns."""

    mu: float
    sigma: float

    @classmethod
    def from_returns(cls, returns: FloatArray) -> GBMParams:
        """Estimate from simple returns (mean and std of ``log1p(returns)``, ddof=1)."""
        logr = np.log1p(clean_returns(returns, minimum=2))
        return cls(mu=float(logr.mean()), sigma=float(logr.std(ddof=1)))


@dataclass(frozen=True)
class GarchParams:
    """GARCH(1,1) with Student-t shocks, in return units (not percent)."""

    mu: float
    omega: float
    alpha: float
    beta: float
    nu: float
    last_variance: float

    @classmethod
    def fit(cls, returns: FloatArray) -> GarchParams:
        """Fit with ``arch`` (constant mean, GARCH(1,1), Student-t) on log returns scaled by 100.

        ``returns`` are simple returns; the model is fitted to ``log1p(returns)``, so ``mu`` and
        the variances are those of log returns.

        Notes
        -----
        The fit uses the whole ``returns`` history given; pass only in-sample returns.
        """
        from arch import arch_model

        r = np.log1p(clean_returns(returns, minimum=50)) * 100.0
        res = arch_model(r, mean="Constant", vol="GARCH", p=1, q=1, dist="t").fit(disp="off")
        p = res.params
        cond_var = float(res.conditional_volatility[-1] ** 2)
        # arch reports percent units: variance scales by 1e-4, mean by 1e-2.
        return cls(
            mu=float(p["mu"]) / 100.0,
            omega=float(p["omega"]) / 1e4,
            alpha=float(p["alpha[1]"]),
            beta=float(p["beta[1]"]),
            nu=float(p["nu"]),
            last_variance=cond_var / 1e4,
        )


def gbm_log_returns(params: GBMParams, *, n_paths: int, horizon: int, rng: np.random.Generator) -> FloatArray:
    """Simulate GBM log returns ``mu + sigma * Z``, vectorized.

    ``mu`` is the mean log return per period (it already includes the ``-sigma**2/2`` Ito term
    when estimated from data by :meth:`GBMParams.from_returns`).
    """
    z = rng.standard_normal((n_paths, horizon))
    return params.mu + params.sigma * z


def gbm_returns(params: GBMParams, *, n_paths: int, horizon: int, rng: np.random.Generator) -> FloatArray:
    """Simulate GBM simple returns ``exp(mu + sigma * Z) - 1`` (same draws as :func:`gbm_log_returns`)."""
    return np.expm1(gbm_log_returns(params, n_paths=n_paths, horizon=horizon, rng=rng))


def bootstrap_returns(
    returns: FloatArray, *, n_paths: int, horizon: int, mean_block: float, rng: np.random.Generator
) -> FloatArray:
    """Stationary block bootstrap (Politis and Romano, 1994) of a strategy's own returns.

    Blocks start at uniform random positions and have geometric lengths with mean
    ``mean_block``; the series wraps around at its end. Every drawn value is one of the
    observed ``returns`` (all > -100%, checked).
    """
    r = clean_returns(returns, minimum=2)
    starts, new_block = _bootstrap_draws(r.size, n_paths, horizon, mean_block, rng)
    return _bootstrap_kernel(r, starts, new_block)


def bootstrap_log_returns(
    returns: FloatArray, *, n_paths: int, horizon: int, mean_block: float, rng: np.random.Generator
) -> FloatArray:
    """:func:`bootstrap_returns` as log returns: the same draws, of ``log1p(returns)``."""
    r = np.log1p(clean_returns(returns, minimum=2))
    starts, new_block = _bootstrap_draws(r.size, n_paths, horizon, mean_block, rng)
    return _bootstrap_kernel(r, starts, new_block)


def garch_log_returns(
    params: GarchParams, *, n_paths: int, horizon: int, rng: np.random.Generator
) -> FloatArray:
    """Simulate GARCH(1,1)-t log returns forward from the fitted last conditional variance.

    Raises
    ------
    DataError
        If ``nu <= 2`` (infinite variance), a variance parameter is negative, or
        ``alpha + beta > 1`` (explosive variance; ``arch`` fits stay <= 1).
    """
    _check_garch(params)
    shocks = rng.standard_t(params.nu, size=(n_paths, horizon)) / np.sqrt(params.nu / (params.nu - 2.0))
    return _garch_kernel(shocks, params.mu, params.omega, params.alpha, params.beta, params.last_variance)


def garch_returns(params: GarchParams, *, n_paths: int, horizon: int, rng: np.random.Generator) -> FloatArray:
    """Simulate GARCH(1,1)-t simple returns: ``expm1`` of :func:`garch_log_returns` (always > -1)."""
    return np.expm1(garch_log_returns(params, n_paths=n_paths, horizon=horizon, rng=rng))


def _check_garch(params: GarchParams) -> None:
    if not params.nu > 2:
        raise DataError(f"Student-t degrees of freedom must exceed 2, got {params.nu}")
    if min(params.omega, params.alpha, params.beta, params.last_variance) < 0:
        raise DataError(f"GARCH variance parameters must be >= 0, got {params}")
    if params.alpha + params.beta > 1.0 + 1e-6:
        raise DataError(f"GARCH alpha + beta = {params.alpha + params.beta:.6f} > 1: the variance "
                        "explodes; fit on more (or less volatile) history or use --model bootstrap")


def _bootstrap_draws(
    n: int, n_paths: int, horizon: int, mean_block: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    if not mean_block >= 1:
        raise DataError(f"mean_block must be >= 1 bar, got {mean_block}")
    starts = rng.integers(0, n, size=(n_paths, horizon))
    new_block = rng.random((n_paths, horizon)) < 1.0 / mean_block
    return starts, new_block


@njit(cache=True)
def _bootstrap_kernel(r: FloatArray, starts: np.ndarray, new_block: np.ndarray) -> FloatArray:
    n_paths, horizon = starts.shape
    out = np.empty((n_paths, horizon))
    n = r.size
    for i in range(n_paths):
        pos = starts[i, 0]
        for t in range(horizon):
            if t > 0:
                pos = starts[i, t] if new_block[i, t] else (pos + 1) % n
            out[i, t] = r[pos]
    return out


@njit(cache=True)
def _garch_kernel(
    shocks: FloatArray, mu: float, omega: float, alpha: float, beta: float, h0: float
) -> FloatArray:
    n_paths, horizon = shocks.shape
    out = np.empty((n_paths, horizon))
    for i in range(n_paths):
        h = h0
        for t in range(horizon):
            eps = np.sqrt(h) * shocks[i, t]
            out[i, t] = mu + eps
            h = omega + alpha * eps * eps + beta * h
    return out


def clean_returns(returns: FloatArray, *, minimum: int) -> FloatArray:
    """Return the finite returns, checking there are ``minimum`` of them and none is <= -100%."""
    r = np.asarray(returns, dtype=np.float64)
    finite = np.isfinite(r)
    if not finite.all():
        # A leading NaN (the first bar of an equity curve) is normal; say how many were left out.
        warnings.warn(f"{int((~finite).sum())} non-finite return(s) of {r.size} left out of the "
                      "path model fit", stacklevel=3)
    r = r[finite]
    if r.size < minimum:
        raise DataError(f"need at least {minimum} finite returns to fit a path model, got {r.size}")
    if np.any(r <= -1.0):
        raise DataError("returns must be > -100% to simulate wealth paths (a return <= -1 wipes out)")
    return r
