"""Monte Carlo risk of a strategy: simulate wealth paths, then VaR/CVaR, drawdowns, fan chart.

Determinism by construction: paths are generated in fixed blocks of :data:`BLOCK_PATHS`, block
``k`` seeded by ``SeedSequence(seed).spawn(n_blocks)[k]``. Any grouping of blocks into shards
(serial, 2 Ray tasks or 200) yields the same paths, hence the same numbers.

Wealth is compounded from log returns (see :mod:`.paths`), so for every path model wealth stays
> 0 (it may underflow to 0.0 after an astronomically bad path, never below) and drawdowns stay in
[0, 1]. How close paths come to ruin is reported, not hidden: ``prob_ruin`` is the share of paths
whose wealth fell to :data:`RUIN_WEALTH` (1% of the start) or less at some bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numba import njit

from trading_signals._typing import FloatArray
from trading_signals.errors import ConfigError
from trading_signals.observability.metrics import counter
from trading_signals.risk.paths import (
    GarchParams,
    GBMParams,
    bootstrap_log_returns,
    clean_returns,
    garch_log_returns,
)

BLOCK_PATHS = 1024
#: Wealth (start = 1) at or below which a path counts as ruined in ``prob_ruin``.
RUIN_WEALTH = 0.01
#: Size limits checked before anything is allocated (:func:`check_size`). Every path keeps its
#: terminal wealth, drawdown, lowest wealth and up to 64 fan values (~0.55 KB, twice while the fan
#: percentiles are sorted); a block holds ``BLOCK_PATHS x horizon`` draws (~8 KB per bar).
MAX_PATHS = 1_000_000
MAX_HORIZON = 25_000
MAX_PATH_CELLS = 500_000_000
FAN_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
WEALTH_PERCENTILES = (1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0)
PathModel = Literal["gbm", "bootstrap", "garch"]


@dataclass(frozen=True)
class PathSpec:
    """What to simulate. ``params`` is GBMParams, GarchParams or the returns to bootstrap."""

    model: PathModel
    params: GBMParams | GarchParams | FloatArray
    horizon: int
    mean_block: float = 20.0
    fan_steps: tuple[int, ...] = ()


@dataclass(frozen=True)
class Block:
    index: int
    n_paths: int
    seed: np.random.SeedSequence


@dataclass(frozen=True)
class BlockResult:
    index: int
    terminal: FloatArray  # wealth at the horizon, starting from 1
    max_drawdown: FloatArray  # per path, in [0, 1]
    fan: FloatArray  # (n_paths, len(fan_steps)) wealth at the fan steps
    min_wealth: FloatArray  # per path, the lowest wealth reached (<= 1: the start counts)


@dataclass(frozen=True)
class MonteCarloResult:
    """Per-path outcomes plus the summary a risk report shows."""

    summary: dict[str, float]
    fan: pd.DataFrame
    terminal_wealth: FloatArray
    max_drawdown: FloatArray
    meta: dict[str, object] = field(default_factory=dict)


def fit_path_spec(
    returns: FloatArray, *, model: PathModel, horizon: int, mean_block: float = 20.0, fan_points: int = 64
) -> PathSpec:
    """Fit the chosen path model on a strategy's historical (simple) returns.

    Notes
    -----
    Everything passed in is treated as in-sample: pass only the returns you may know.
    """
    if horizon < 1:
        raise ConfigError(f"horizon must be >= 1 bar, got {horizon}")
    params: GBMParams | GarchParams | FloatArray
    if model == "gbm":
        params = GBMParams.from_returns(returns)
    elif model == "garch":
        params = GarchParams.fit(returns)
    elif model == "bootstrap":
        params = clean_returns(returns, minimum=2)
    else:
        raise ConfigError(f"unknown path model {model!r}; use one of gbm, bootstrap, garch")
    steps = np.unique(np.linspace(1, horizon, min(fan_points, horizon)).round().astype(int))
    return PathSpec(model=model, params=params, horizon=horizon, mean_block=mean_block, fan_steps=tuple(steps))


def check_size(n_paths: int, horizon: int) -> None:
    """Raise :class:`ConfigError` before allocating if the simulation is out of range.

    Limits: :data:`MAX_PATHS` paths (memory of per-path results), :data:`MAX_HORIZON` bars
    (memory of one block of draws) and :data:`MAX_PATH_CELLS` draws in all (run time).
    """
    if n_paths < 1:
        raise ConfigError(f"n_paths must be >= 1, got {n_paths}")
    if horizon < 1:
        raise ConfigError(f"horizon must be >= 1 bar, got {horizon}")
    if n_paths > MAX_PATHS:
        raise ConfigError(f"n_paths {n_paths:,} is above the limit of {MAX_PATHS:,} paths "
                          "(per-path results are kept in memory); use fewer paths")
    if horizon > MAX_HORIZON:
        raise ConfigError(f"horizon {horizon:,} is above the limit of {MAX_HORIZON:,} bars")
    if n_paths * horizon > MAX_PATH_CELLS:
        raise ConfigError(f"n_paths x horizon = {n_paths:,} x {horizon:,} is above the limit of "
                          f"{MAX_PATH_CELLS:,} simulated returns; use fewer paths or a shorter horizon")


def plan_blocks(n_paths: int, *, seed: int) -> list[Block]:
    """Split ``n_paths`` into fixed-size blocks with independent child seeds."""
    if n_paths < 1:
        raise ConfigError(f"n_paths must be >= 1, got {n_paths}")
    if seed < 0:
        raise ConfigError(f"seed must be >= 0, got {seed}")
    n_blocks = -(-n_paths // BLOCK_PATHS)
    seeds = np.random.SeedSequence(seed).spawn(n_blocks)
    sizes = [BLOCK_PATHS] * (n_blocks - 1) + [n_paths - BLOCK_PATHS * (n_blocks - 1)]
    return [Block(index=k, n_paths=sizes[k], seed=seeds[k]) for k in range(n_blocks)]


def simulate_block(spec: PathSpec, block: Block) -> BlockResult:
    """Simulate one block of paths and reduce them to terminal wealth, drawdown and fan values."""
    rng = np.random.default_rng(block.seed)
    n, h = block.n_paths, spec.horizon
    steps = np.asarray(spec.fan_steps, dtype=np.int64)
    if spec.model == "gbm":
        # Same draws as gbm_log_returns, turned into log returns in place: no second
        # (paths x horizon) array.
        p: GBMParams = spec.params  # type: ignore[assignment]
        logr = rng.standard_normal((n, h))
        logr *= p.sigma
        logr += p.mu
    else:
        if spec.model == "garch":
            logr = garch_log_returns(spec.params, n_paths=n, horizon=h, rng=rng)  # type: ignore[arg-type]
        else:
            logr = bootstrap_log_returns(spec.params, n_paths=n, horizon=h,  # type: ignore[arg-type]
                                         mean_block=spec.mean_block, rng=rng)
    terminal, mdd, fan, low = _log_wealth_kernel(logr, steps)
    # Recorded where the block runs (a Ray worker or the driver), so progress is live.
    counter("tsig_paths_done").inc(n, {"stage": "montecarlo"})
    return BlockResult(index=block.index, terminal=terminal, max_drawdown=mdd, fan=fan, min_wealth=low)


def simulate_blocks(spec: PathSpec, blocks: Sequence[Block]) -> list[BlockResult]:
    """Serial path: simulate ``blocks`` in order (the Ray layer maps :func:`simulate_block`)."""
    return [simulate_block(spec, b) for b in blocks]


def summarize_blocks(spec: PathSpec, results: Sequence[BlockResult]) -> MonteCarloResult:
    """Combine block results (in any order) into the risk summary and fan-chart data."""
    ordered = sorted(results, key=lambda r: r.index)
    terminal = np.concatenate([r.terminal for r in ordered])
    mdd = np.concatenate([r.max_drawdown for r in ordered])
    low = np.concatenate([r.min_wealth for r in ordered])
    fan_paths = np.vstack([r.fan for r in ordered])
    horizon_ret = terminal - 1.0
    summary: dict[str, float] = {"n_paths": float(terminal.size), "horizon": float(spec.horizon)}
    for level in (0.95, 0.99):
        var, cvar = _var_cvar(horizon_ret, level)
        summary[f"var_{int(level * 100)}"] = var
        summary[f"cvar_{int(level * 100)}"] = cvar
    summary["prob_loss"] = float(np.mean(horizon_ret < 0.0))
    summary["expected_return"] = float(horizon_ret.mean())
    summary["max_drawdown_mean"] = float(mdd.mean())
    for q in (50, 95, 99):
        summary[f"max_drawdown_p{q}"] = float(np.percentile(mdd, q))
    summary["max_drawdown_worst"] = float(mdd.max())
    summary["terminal_wealth_min"] = float(terminal.min())
    for q in WEALTH_PERCENTILES:
        summary[f"terminal_wealth_p{q:g}"] = float(np.percentile(terminal, q))
    ruined = int(np.count_nonzero(low <= RUIN_WEALTH))
    summary["n_paths_ruined"] = float(ruined)
    summary["prob_ruin"] = ruined / terminal.size
    fan = pd.DataFrame(
        _row_percentiles(np.ascontiguousarray(fan_paths.T), FAN_PERCENTILES),
        index=pd.Index(spec.fan_steps, name="step"),
        columns=[f"p{q:g}" for q in FAN_PERCENTILES],
    )
    return MonteCarloResult(summary=summary, fan=fan, terminal_wealth=terminal, max_drawdown=mdd,
                            meta={"model": spec.model, "ruin_wealth": RUIN_WEALTH})


def run_montecarlo(
    returns: FloatArray,
    *,
    model: PathModel = "bootstrap",
    n_paths: int = 10_000,
    horizon: int = 252,
    seed: int = 0,
    mean_block: float = 20.0,
) -> MonteCarloResult:
    """Fit a path model to ``returns`` and simulate ``n_paths`` paths of ``horizon`` bars, serially.

    Parameters
    ----------
    returns
        The strategy's historical simple returns per bar (NaN ignored).
    model
        ``"gbm"``, ``"bootstrap"`` (stationary block bootstrap) or ``"garch"`` (GARCH(1,1)-t).

    Returns
    -------
    MonteCarloResult
        ``summary`` has ``var_95``/``cvar_95``/``var_99``/``cvar_99`` (losses of the horizon
        return, positive numbers), ``prob_loss``, drawdown statistics (each in [0, 1]),
        terminal wealth percentiles and minimum (wealth starts at 1 and stays >= 0), and
        ``n_paths_ruined``/``prob_ruin`` (wealth fell to :data:`RUIN_WEALTH` or below).

    Raises
    ------
    ConfigError
        ``n_paths``/``horizon`` out of range (checked before any work), unknown ``model``.

    Notes
    -----
    Identical for a given ``seed`` whatever the sharding (see the module docstring).
    """
    check_size(n_paths, horizon)
    spec = fit_path_spec(returns, model=model, horizon=horizon, mean_block=mean_block)
    return summarize_blocks(spec, simulate_blocks(spec, plan_blocks(n_paths, seed=seed)))


def _row_percentiles(rows: FloatArray, qs: Sequence[float]) -> FloatArray:
    # np.percentile's linear method on each row; one sort of every row is ~2x faster than
    # np.percentile(axis=0) with several q on a (paths x steps) matrix.
    s = np.sort(rows, axis=1)
    pos = np.asarray(qs, dtype=np.float64) / 100.0 * (s.shape[1] - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, s.shape[1] - 1)
    frac = pos - lo
    return s[:, lo] + (s[:, hi] - s[:, lo]) * frac


def _var_cvar(horizon_returns: FloatArray, level: float) -> tuple[float, float]:
    cutoff = np.quantile(horizon_returns, 1.0 - level)
    tail = horizon_returns[horizon_returns <= cutoff]
    return float(-cutoff), float(-tail.mean())


@njit(cache=True)
def _log_wealth_kernel(
    logr: FloatArray, fan_steps: np.ndarray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    # Compound in log space: wealth = exp(log_w) > 0 and drawdown = 1 - exp(-worst) in [0, 1].
    n_paths, horizon = logr.shape
    terminal = np.empty(n_paths)
    mdd = np.empty(n_paths)
    low = np.empty(n_paths)
    fan = np.empty((n_paths, fan_steps.size))
    for i in range(n_paths):
        log_w = 0.0
        log_peak = 0.0
        log_low = 0.0
        worst = 0.0
        k = 0
        for t in range(horizon):
            log_w += logr[i, t]
            if log_w > log_peak:
                log_peak = log_w
            elif log_peak - log_w > worst:
                worst = log_peak - log_w
            if log_w < log_low:
                log_low = log_w
            while k < fan_steps.size and fan_steps[k] == t + 1:
                fan[i, k] = np.exp(log_w)
                k += 1
        terminal[i] = np.exp(log_w)
        mdd[i] = -np.expm1(-worst)
        low[i] = np.exp(log_low)
    return terminal, mdd, fan, low
