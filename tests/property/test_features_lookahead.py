"""No look-ahead, per column: changing any bar after t never changes a feature at or before t.

Covers every ML feature and every higher-timeframe column (ML and indicators on 4h/1d/1w bars).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.data.synthetic import generate_universe
from trading_signals.features.ml import ML_FEATURE_NAMES
from trading_signals.features.pipeline import compute_features

HOURLY = generate_universe(1, 24 * 7 * 4 + 5, seed=21, timeframe="1h", start="2024-01-02 03:00").bars["SYN0000"]
DAILY = generate_universe(1, 300, seed=22, timeframe="1d").bars["SYN0000"]
HOURLY_TFS = ("4h", "1d", "1w")


def _perturb(bars: pd.DataFrame, t: int, seed: int) -> pd.DataFrame:
    """Rescale every bar after t by random factors (prices jointly, volume separately)."""
    rng = np.random.default_rng(seed)
    out = bars.copy()
    n = len(bars) - t - 1
    price_factor = rng.uniform(0.5, 2.0, n)
    for col in ("open", "high", "low", "close"):
        out.iloc[t + 1 :, out.columns.get_loc(col)] *= price_factor
    out.iloc[t + 1 :, out.columns.get_loc("volume")] *= rng.uniform(0.0, 3.0, n)
    return out


def _assert_prefix_equal(a: pd.DataFrame, b: pd.DataFrame, t: int) -> None:
    left, right = a.iloc[: t + 1], b.iloc[: t + 1]
    changed = [c for c in a.columns if not np.array_equal(left[c].to_numpy(), right[c].to_numpy(), equal_nan=True)]
    assert changed == [], f"columns changed at or before bar {t}: {changed}"


@settings(max_examples=25, deadline=None)
@given(t=st.integers(0, len(HOURLY) - 2), seed=st.integers(0, 2**31 - 1))
def test_compute_features_hourly_ml_and_multi_tf_perturbed_future_no_lookahead(t: int, seed: int) -> None:
    # Arrange
    base = compute_features(HOURLY, spec=(), ml=True, higher_timeframes=HOURLY_TFS)
    # Act
    moved = compute_features(_perturb(HOURLY, t, seed), spec=(), ml=True, higher_timeframes=HOURLY_TFS)
    # Assert
    assert len(base.columns) == 17 * 4
    _assert_prefix_equal(base, moved, t)


@settings(max_examples=15, deadline=None)
@given(t=st.integers(0, len(DAILY) - 2), seed=st.integers(0, 2**31 - 1))
def test_compute_features_daily_with_weekly_indicators_perturbed_future_no_lookahead(t: int, seed: int) -> None:
    # Arrange: full default indicator set + ML, on 1d and 1w
    base = compute_features(DAILY, higher_timeframes=("1w",))
    # Act
    moved = compute_features(_perturb(DAILY, t, seed), higher_timeframes=("1w",))
    # Assert
    assert all(f"{n}__1w" in base.columns for n in ML_FEATURE_NAMES)
    _assert_prefix_equal(base, moved, t)


@pytest.mark.parametrize("t", [30, 24 * 7 + 11, 24 * 14 + 23, len(HOURLY) - 2])
def test_compute_features_truncated_history_equals_full_history_prefix(t: int) -> None:
    # Arrange: the data a live system would have had at bar t
    full = compute_features(HOURLY, spec=(), ml=True, higher_timeframes=HOURLY_TFS)
    # Act
    live = compute_features(HOURLY.iloc[: t + 1], spec=(), ml=True, higher_timeframes=HOURLY_TFS)
    # Assert: the last week/day/4h block is incomplete in `live` and must not have been visible
    pd.testing.assert_frame_equal(live, full.iloc[: t + 1], rtol=1e-9, atol=1e-12)


def test_compute_features_higher_tf_columns_are_populated() -> None:
    # Act
    f = compute_features(HOURLY, spec=(), ml=True, higher_timeframes=HOURLY_TFS)
    # Assert: the property above is not vacuous; every column has values somewhere
    empty = [c for c in f.columns if f[c].isna().all()]
    assert empty == [] or set(empty) <= {f"{n}__1w" for n in ML_FEATURE_NAMES}
    assert f["hl_range__1w"].notna().any() and f["momentum_20__1d"].notna().any()
