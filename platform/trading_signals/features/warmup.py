"""Compile the indicator kernels once, before work fans out.

A fresh process compiles each numba kernel the first time it runs (about 10 s of CPU for the
default feature set) and writes it to the numba cache (``NUMBA_CACHE_DIR``, else each module's
``__pycache__``). Calling :func:`warm_up` in a driver before fanning the features stage out to
Ray workers means the workers load the cache instead of compiling the same kernels side by side;
``tsig warmup`` (and the container image build) fill the cache ahead of any run.
"""

from __future__ import annotations

import resource
import time
from typing import Any

import numpy as np

__all__ = ["warm_up"]

# Plans that, with the default spec, reach every leaf kernel of the executor: MACD without a
# TRIX, TRIX alone, STDDEV without a same-period BBANDS, NATR without a same-period ATR.
_EXTRA_SPECS: tuple[tuple[dict[str, Any], ...], ...] = (
    ({"name": "macd"}, {"name": "stddev"}, {"name": "natr", "params": {"timeperiod": 7}}),
    ({"name": "trix"},),
)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def warm_up(*, ml: bool = True) -> dict[str, float]:
    """Compile (or load from the numba cache) every kernel the feature build uses.

    Runs the default feature set, plus the few plans that reach the remaining kernels, on a small
    deterministic in-memory frame (one of them with a NaN gap); no I/O, no network.

    Parameters
    ----------
    ml
        Also run the ML features (pure NumPy/pandas; warms their imports).

    Returns
    -------
    dict
        ``{"seconds": wall, "cpu_seconds": cpu}`` spent (near zero when the cache is warm).

    Examples
    --------
    >>> warm_up()["seconds"] >= 0.0
    True
    """
    from trading_signals.data.schema import make_ohlcv
    from trading_signals.features.indicators import compute_indicators
    from trading_signals.features.pipeline import compute_features

    t0, c0 = time.perf_counter(), _cpu()
    n = 320
    rng = np.random.default_rng(0)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    open_ = np.r_[close[0], close[:-1]]
    high = np.maximum(open_, close) * 1.002
    low = np.minimum(open_, close) * 0.998
    volume = rng.integers(1, 1000, n).astype(np.float64)
    idx = np.datetime64("2020-01-01", "h") + np.arange(n)
    bars = make_ohlcv(idx, open_, high, low, close, volume, symbol="WARMUP", timeframe="1h")
    gapped = bars.copy()
    gapped.iloc[150:152] = np.nan
    for frame in (bars, gapped):
        compute_features(frame, ml=ml)
    for spec in _EXTRA_SPECS:
        compute_indicators(bars, list(spec))
    return {"seconds": time.perf_counter() - t0, "cpu_seconds": _cpu() - c0}
