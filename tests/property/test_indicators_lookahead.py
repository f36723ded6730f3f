"""No look-ahead: changing any bar after t never changes any indicator value at or before t."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.data.schema import make_ohlcv
from trading_signals.features.indicators import INDICATOR_NAMES, compute_indicators

N_BARS = 260  # > 200 so that sma_200 and every other column has values before most t


def _bars(seed: int, n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    c = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, n)))
    o = c * np.exp(rng.normal(0.0, 0.01, n))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0.0, 0.01, n)))
    lo = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0.0, 0.01, n)))
    v = rng.integers(0, 1_000_000, n).astype(np.float64)
    return {"open": o, "high": h, "low": lo, "close": c, "volume": v}


def _frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    idx = pd.date_range("2021-01-01", periods=len(cols["close"]), freq="D", tz="UTC")
    return make_ohlcv(
        idx,
        *(cols[k] for k in ("open", "high", "low", "close", "volume")),
        symbol="LA",
        timeframe="1d",
    )


BASE = _bars(123, N_BARS)
BASE_OUT = compute_indicators(_frame(BASE))


@settings(max_examples=25, deadline=None)
@given(
    t=st.integers(min_value=0, max_value=N_BARS - 2),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    mode=st.sampled_from(["new_path", "scale", "nan_gap", "flat"]),
)
def test_indicators_changed_future_bars_leave_past_unchanged(t: int, seed: int, mode: str) -> None:
    # Arrange: replace every bar after t
    other = _bars(seed, N_BARS)
    cols = {k: v.copy() for k, v in BASE.items()}
    for k, col in cols.items():
        if mode == "new_path":
            col[t + 1 :] = other[k][t + 1 :]
        elif mode == "scale":
            col[t + 1 :] *= 1.0 + (seed % 97) / 50.0
        elif mode == "nan_gap":
            col[t + 1 :] = np.nan
        else:
            col[t + 1 :] = 1.0 if k != "volume" else 0.0
    # Act
    out = compute_indicators(_frame(cols))
    # Assert: every column, NaN-aware exact equality up to and including t
    assert list(out.columns) == list(INDICATOR_NAMES)
    np.testing.assert_array_equal(out.iloc[: t + 1].to_numpy(), BASE_OUT.iloc[: t + 1].to_numpy())


def test_indicators_lookahead_base_has_values_in_every_column() -> None:
    # The property above is only meaningful if every column has non-NaN values to protect.
    assert BASE_OUT.iloc[: N_BARS - 10].notna().any().all()
