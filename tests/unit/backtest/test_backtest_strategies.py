"""Strategies: SMA cross vs a pandas reference, confluence mapping, model ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.backtest import strategies
from trading_signals.errors import ConfigError, DataError


def _naive_cross(close: pd.Series, fast: int, slow: int) -> np.ndarray:
    f, s = close.rolling(fast).mean().to_numpy(), close.rolling(slow).mean().to_numpy()
    out, pos = np.zeros(len(close)), 0.0
    for t in range(1, len(close)):
        if f[t - 1] < s[t - 1] and f[t] > s[t]:
            pos = 1.0
        elif s[t - 1] < f[t - 1] and s[t] > f[t]:
            pos = -1.0
        out[t] = pos
    return out


@pytest.mark.parametrize(("fast", "slow"), [(5, 20), (12, 26), (2, 3)])
def test_sma_cross_matches_pandas_rolling_reference(synthetic_ohlcv, fast, slow):
    got = strategies.sma_cross(synthetic_ohlcv, fast=fast, slow=slow)
    np.testing.assert_array_equal(got.to_numpy(), _naive_cross(synthetic_ohlcv["close"], fast, slow))
    assert set(np.unique(got)) <= {-1.0, 0.0, 1.0}


def test_sma_cross_long_only_and_invalid_windows(synthetic_ohlcv):
    got = strategies.sma_cross(synthetic_ohlcv["close"], fast=5, slow=20, long_only=True)
    assert set(np.unique(got)) == {0.0, 1.0}
    with pytest.raises(ConfigError):
        strategies.sma_cross(synthetic_ohlcv, fast=20, slow=5)


def test_sma_cross_panel_equals_per_symbol(synthetic_universe):
    wide = pd.DataFrame({s: f["close"] for s, f in list(synthetic_universe.bars.items())[:3]})
    got = strategies.sma_cross(wide, fast=5, slow=15)
    for s in wide:
        pd.testing.assert_series_equal(got[s], strategies.sma_cross(wide[s], fast=5, slow=15))


def test_confluence_labels_and_score_thresholds_map_to_exposures():
    idx = pd.date_range("2024-01-01", periods=5, tz="UTC")
    sig = pd.DataFrame({"confluence_score": [0.9, 0.6, 0.5, 0.3, 0.05],
                        "signal": ["STRONG_BUY", "BUY", "HOLD", "SELL", "STRONG_SELL"]}, index=idx)
    assert strategies.confluence(sig).tolist() == [1.0, 0.5, 0.0, -0.5, -1.0]
    assert strategies.confluence(sig, long_only=True).tolist() == [1.0, 0.5, 0.0, 0.0, 0.0]
    assert strategies.confluence(sig, buy=0.6, sell=0.3).tolist() == [1.0, 1.0, 0.0, -1.0, -1.0]
    long_form = pd.concat([sig.assign(symbol="A"), sig.assign(symbol="B")])
    assert list(strategies.confluence(long_form).columns) == ["A", "B"]
    with pytest.raises(DataError, match="unknown signal"):
        strategies.confluence(sig.assign(signal="MAYBE"))


def test_model_top_k_ranks_each_date_cross_sectionally():
    idx = pd.date_range("2024-01-01", periods=2, tz="UTC")
    pred = pd.DataFrame([[0.3, -0.1, 0.2, -0.5], [np.nan, 0.1, 0.2, 0.3]], index=idx,
                        columns=list("ABCD"))
    got = strategies.model(pred, top_k=1)
    assert got.iloc[0].tolist() == [0.5, 0.0, 0.0, -0.5]
    assert got.iloc[1].tolist() == [0.0, -0.5, 0.0, 0.5]
    assert np.abs(got).sum(axis=1).tolist() == [1.0, 1.0]
    thr = strategies.model(pred.iloc[:, 0].fillna(0), threshold=0.25)
    assert thr.tolist() == [1.0, 0.0]
