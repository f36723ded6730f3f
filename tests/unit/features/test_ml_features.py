"""The 17 ML features against naive per-bar loop references (NumPy/SciPy over each window)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from trading_signals.data.schema import make_ohlcv
from trading_signals.errors import DataError
from trading_signals.features.ml import ML_FEATURE_NAMES, compute_ml_features


@pytest.fixture(scope="module")
def bars(synthetic_ohlcv: pd.DataFrame) -> pd.DataFrame:
    return synthetic_ohlcv.iloc[:160]


@pytest.fixture(scope="module")
def naive(bars: pd.DataFrame) -> dict[str, np.ndarray]:
    return _naive(bars)


@pytest.fixture(scope="module")
def ours(bars: pd.DataFrame) -> pd.DataFrame:
    return compute_ml_features(bars)


def _naive(bars: pd.DataFrame) -> dict[str, np.ndarray]:
    """Loop over bars; each value built from plain floats of the trailing window only."""
    o, h, lo, c, v = (bars[k].to_numpy() for k in ("open", "high", "low", "close", "volume"))
    n = len(c)
    out = {name: np.full(n, np.nan) for name in ML_FEATURE_NAMES}
    r = np.full(n, np.nan)
    r[1:] = c[1:] / c[:-1] - 1.0
    for t in range(n):
        for k in (5, 10, 20):
            if t >= k:
                out[f"momentum_{k}"][t] = np.log(c[t] / c[t - k])
                out[f"roc_{k}"][t] = c[t] / c[t - k] - 1.0
        if t >= 20:
            w20, w5 = r[t - 19 : t + 1], r[t - 4 : t + 1]
            out["volatility_20"][t] = np.std(w20, ddof=1)
            out["volatility_ratio"][t] = np.std(w5, ddof=1) / np.std(w20, ddof=1)
            out["skewness"][t] = stats.skew(w20, bias=False)
            out["kurtosis"][t] = stats.kurtosis(w20, fisher=True, bias=False)
        if t >= 19:
            out["volume_ma_ratio"][t] = v[t] / np.mean(v[t - 19 : t + 1])
            out["volume_trend"][t] = np.mean(v[t - 4 : t + 1]) / np.mean(v[t - 19 : t + 1])
            out["price_sma_20_ratio"][t] = c[t] / np.mean(c[t - 19 : t + 1]) - 1.0
        if t >= 5:
            out["volume_momentum"][t] = v[t] / v[t - 5] - 1.0
        out["hl_range"][t] = (h[t] - lo[t]) / c[t]
        out["co_position"][t] = (c[t] - o[t]) / (h[t] - lo[t])
        out["ho_position"][t] = (h[t] - o[t]) / (h[t] - lo[t])
    return out


def test_compute_ml_features_columns_exactly_the_contract_names(bars: pd.DataFrame) -> None:
    # Act
    f = compute_ml_features(bars)
    # Assert
    assert tuple(f.columns) == ML_FEATURE_NAMES and len(ML_FEATURE_NAMES) == 17
    assert f.index.equals(bars.index) and (f.dtypes == np.float64).all()


@pytest.mark.parametrize("name", ML_FEATURE_NAMES)
def test_compute_ml_features_each_column_matches_naive_loop(naive, ours, name: str) -> None:
    # Arrange
    expected = naive[name]
    # Act
    got = ours[name].to_numpy()
    # Assert: same warm-up NaNs, same values
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_compute_ml_features_tiny_frame_hand_checked(tiny_ohlcv: pd.DataFrame) -> None:
    # Act
    f = compute_ml_features(tiny_ohlcv)
    # Assert: bar 5 has open 10, close 11, high 11.5, low 9.5 -> range 2
    assert f["co_position"].iloc[5] == pytest.approx(0.5)
    assert f["ho_position"].iloc[5] == pytest.approx(0.75)
    assert f["hl_range"].iloc[5] == pytest.approx(2.0 / 11.0)
    assert f["roc_5"].iloc[5] == pytest.approx(11.0 / 10.0 - 1.0)
    assert f["momentum_5"].iloc[5] == pytest.approx(np.log(1.1))
    assert f["volume_momentum"].iloc[5] == pytest.approx(80.0 / 100.0 - 1.0)
    assert f[["volatility_20", "skewness", "price_sma_20_ratio"]].isna().all().all()  # < 20 bars


def _flat_zero_volume_bars(n: int = 40) -> pd.DataFrame:
    idx = pd.date_range("2024-01-01", periods=n, freq="D", tz="UTC")
    c = np.full(n, 5.0)
    v = np.zeros(n)
    return make_ohlcv(idx, c, c, c, c, v, symbol="FLAT", timeframe="1d")


@pytest.mark.parametrize(
    "name",
    ["volatility_ratio", "volume_ma_ratio", "volume_trend", "volume_momentum", "co_position",
     "ho_position", "skewness", "kurtosis"],
)
def test_compute_ml_features_zero_denominator_gives_nan_not_inf(name: str) -> None:
    # Arrange: flat prices (high == low, zero volatility) and zero volume
    bars = _flat_zero_volume_bars()
    # Act
    col = compute_ml_features(bars)[name]
    # Assert
    assert col.isna().all(), col.dropna().head()


def test_compute_ml_features_flat_prices_zero_volatility_and_returns() -> None:
    # Act
    f = compute_ml_features(_flat_zero_volume_bars())
    # Assert: well-defined values stay defined
    assert (f["volatility_20"].iloc[20:] == 0.0).all()
    assert (f["roc_5"].iloc[5:] == 0.0).all() and (f["hl_range"] == 0.0).all()
    assert np.isfinite(f.to_numpy()[~np.isnan(f.to_numpy())]).all()


def test_compute_ml_features_not_canonical_raises_data_error(bars: pd.DataFrame) -> None:
    # Arrange
    broken = bars.drop(columns=["volume"])
    # Act / Assert
    with pytest.raises(DataError, match="volume"):
        compute_ml_features(broken)


@pytest.mark.parametrize("scale", [0.01, 1000.0])
def test_compute_ml_features_price_scale_invariant(bars: pd.DataFrame, scale: float) -> None:
    # Arrange: multiply every price (not volume) by a constant
    scaled = bars.copy()
    for col in ("open", "high", "low", "close"):
        scaled[col] = bars[col] * scale
    # Act
    a, b = compute_ml_features(bars), compute_ml_features(scaled)
    # Assert: returns and ratios are scale-free
    pd.testing.assert_frame_equal(a, b, rtol=1e-7, atol=1e-9)

