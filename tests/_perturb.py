"""Look-ahead property tests: change every bar after ``t`` and check nothing at or before moved."""

from __future__ import annotations

import numpy as np
import pandas as pd
from trading_signals.data.schema import make_ohlcv


def perturb_after(bars: pd.DataFrame, t: int, *, scale: float, seed: int) -> pd.DataFrame:
    """Return ``bars`` with every bar after position ``t`` rescaled at random (still valid OHLCV:
    high >= max(open, close), low <= min(open, close)); bars up to ``t`` are untouched."""
    rng = np.random.default_rng(seed)
    n = len(bars) - t - 1
    factor = scale * np.exp(0.05 * rng.standard_normal(n))
    o, h, l, c, v = (bars[k].to_numpy().copy() for k in ("open", "high", "low", "close", "volume"))
    o[t + 1:], c[t + 1:] = o[t + 1:] * factor, c[t + 1:] * factor[::-1]
    h[t + 1:] = np.maximum(h[t + 1:] * factor, np.maximum(o[t + 1:], c[t + 1:]))
    l[t + 1:] = np.minimum(l[t + 1:] * factor, np.minimum(o[t + 1:], c[t + 1:]))
    v[t + 1:] = v[t + 1:] * rng.uniform(0.1, 5.0, n)
    return make_ohlcv(bars.index, o, h, l, c, v, symbol=bars.attrs["symbol"],
                      timeframe=bars.attrs.get("timeframe", "1d"))
