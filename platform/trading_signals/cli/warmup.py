"""``tsig warmup``: compile the numba kernels into the numba cache.

Run it once before a study fans out to many workers, or at container-image build time
(``kuberay/Dockerfile``): later processes then load the compiled kernels from the cache instead
of compiling them (about 15 s of CPU for the feature kernels and 10 s for the backtest, signal
and Monte Carlo kernels, paid again by every worker of a cold cluster). The cache location is
numba's: ``NUMBA_CACHE_DIR`` if set, else each module's ``__pycache__``.
"""

from __future__ import annotations

import os
import time
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, emit, kv_table, user_errors

FEATURES_ONLY = typer.Option(
    False, "--features-only", help="Only the feature kernels (trading_signals.features.warm_up)."
)


def _warm_downstream() -> dict[str, float]:
    # One small real call through each public entry point that runs numba kernels.
    import numpy as np
    import pandas as pd

    import trading_signals as ts

    bars = ts.generate_universe(1, 300, seed=0).bars["SYN0000"]
    spent: dict[str, float] = {}
    t0 = time.perf_counter()
    ts.generate_signals(bars)
    spent["signals_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pos = pd.Series(np.sign(np.sin(np.arange(len(bars)) / 10.0)), index=bars.index)
    ts.run_backtest(bars, pos)
    spent["backtest_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    returns = np.diff(np.log(bars["close"].to_numpy()))
    for model in ("bootstrap", "gbm", "garch"):
        ts.run_montecarlo(returns, model=model, n_paths=64, horizon=20)
    spent["montecarlo_seconds"] = time.perf_counter() - t0
    return spent


def warmup_command(features_only: bool = FEATURES_ONLY, as_json: bool = JSON_OPTION) -> None:
    """Compile the numba kernels into the numba cache (before fanning out, or at image build)."""
    with user_errors():
        from trading_signals.features.warmup import warm_up

        stats = warm_up()
        payload: dict[str, Any] = {
            "features_seconds": round(stats["seconds"], 3),
            "features_cpu_seconds": round(stats["cpu_seconds"], 3),
        }
        if not features_only:
            payload.update({k: round(v, 3) for k, v in _warm_downstream().items()})
        payload["numba_cache_dir"] = (
            os.environ.get("NUMBA_CACHE_DIR") or "(each module's __pycache__)"
        )
        emit(payload, as_json=as_json, render=lambda p: console.print(kv_table("warmup", p)))


def register(app: typer.Typer) -> None:
    """Add ``warmup`` to the ``tsig`` app."""
    app.command("warmup")(warmup_command)
