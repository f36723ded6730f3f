"""VWAP, Donchian and Keltner (no TA-Lib equivalent) against plain pandas references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.data.schema import make_ohlcv
from trading_signals.features.indicators import compute_indicators


def _frame(seed: int, n: int, *, zero_volume_from: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, n)))
    o = c * np.exp(rng.normal(0.0, 0.01, n))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0.0, 0.01, n)))
    lo = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0.0, 0.01, n)))
    v = rng.integers(0, 1_000_000, n).astype(np.float64)
    if zero_volume_from is not None:
        v[zero_volume_from:] = 0.0
    idx = pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC")
    return make_ohlcv(idx, o, h, lo, c, v, symbol="REF", timeframe="1d")


def _sp500() -> pd.DataFrame:
    arch_data = pytest.importorskip("arch.data.sp500")
    df = arch_data.load().iloc[-1000:]
    idx = pd.DatetimeIndex(df.index, name="timestamp").tz_localize("UTC")
    cols = [df[c].to_numpy(dtype=np.float64) for c in ["Open", "High", "Low", "Close", "Volume"]]
    return make_ohlcv(idx, *cols, symbol="SP500", timeframe="1d")


FRAMES = {
    "walk_500": lambda: _frame(0, 500),
    "zero_volume_tail": lambda: _frame(1, 200, zero_volume_from=120),
    "short_15": lambda: _frame(2, 15),
    "single_bar": lambda: _frame(3, 1),
    "sp500_1000": _sp500,
}


def _sma_seeded_ema(x: pd.Series, n: int) -> pd.Series:
    # TA-Lib-style EMA: SMA of the first n values at bar n-1, then alpha = 2/(n+1).
    if len(x) < n:
        return pd.Series(np.nan, index=x.index)
    seeded = x.copy()
    seeded.iloc[: n - 1] = np.nan
    seeded.iloc[n - 1] = x.iloc[:n].mean()
    return seeded.ewm(alpha=2.0 / (n + 1), adjust=False).mean()


def _wilder_atr(f: pd.DataFrame, n: int) -> pd.Series:
    prev_close = f["close"].shift(1)
    tr = pd.concat(
        [f["high"] - f["low"], (f["high"] - prev_close).abs(), (f["low"] - prev_close).abs()],
        axis=1,
    ).max(axis=1, skipna=False)
    if len(f) <= n:
        return pd.Series(np.nan, index=f.index)
    seeded = tr.copy()
    seeded.iloc[:n] = np.nan
    seeded.iloc[n] = tr.iloc[1 : n + 1].mean()
    return seeded.ewm(alpha=1.0 / n, adjust=False).mean()


def reference(f: pd.DataFrame) -> dict[str, pd.Series]:
    tp = (f["high"] + f["low"] + f["close"]) / 3.0
    vol_sum = f["volume"].rolling(20).sum()
    vwap = (tp * f["volume"]).rolling(20).sum() / vol_sum.where(vol_sum != 0)
    mid = _sma_seeded_ema(f["close"], 20)
    atr = _wilder_atr(f, 10)
    return {
        "vwap_20": vwap,
        "donchian_upper_20": f["high"].rolling(20).max(),
        "donchian_lower_20": f["low"].rolling(20).min(),
        "keltner_upper_20": mid + 2.0 * atr,
        "keltner_lower_20": mid - 2.0 * atr,
    }


@pytest.mark.parametrize("case", list(FRAMES))
@pytest.mark.parametrize(
    "column",
    ["vwap_20", "donchian_upper_20", "donchian_lower_20", "keltner_upper_20", "keltner_lower_20"],
)
def test_indicator_matches_pandas_reference(case: str, column: str) -> None:
    # Arrange
    frame = FRAMES[case]()
    # Act
    got = compute_indicators(frame)[column]
    # Assert
    want = reference(frame)[column]
    np.testing.assert_array_equal(got.isna().to_numpy(), want.isna().to_numpy(), err_msg=column)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, equal_nan=True)


def test_vwap_window_without_volume_is_nan() -> None:
    # Arrange: volume stops at bar 120, so windows fully inside the tail have no volume.
    frame = _frame(1, 200, zero_volume_from=120)
    # Act
    vwap = compute_indicators(frame, [{"name": "vwap"}])["vwap_20"]
    # Assert
    assert vwap.iloc[139:].isna().all()
    assert vwap.iloc[19:139].notna().all()
