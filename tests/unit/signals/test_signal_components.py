"""Component scores: bounded in [0, 1], NaN in warm-up, monotone where they should be."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.data.schema import make_ohlcv
from trading_signals.errors import DataError
from trading_signals.signals.components import (
    model_score,
    momentum_score,
    sentiment_score,
    trailing_percentile,
    trend_score,
    volatility_score,
    volume_score,
)
from trading_signals.signals.engine import compute_components, indicator_frame


def _trending_bars(drift: float, *, n: int = 160, seed: int = 0, vol: float = 0.01) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(drift + vol * rng.standard_normal(n)))
    open_ = np.r_[close[0], close[:-1]]
    high = np.maximum(open_, close) * (1 + 0.003 * rng.random(n))
    low = np.minimum(open_, close) * (1 - 0.003 * rng.random(n))
    volume = 1e6 * (1 + 0.2 * rng.random(n))
    idx = pd.bdate_range("2020-01-01", periods=n, tz="UTC")
    return make_ohlcv(idx, open_, high, low, close, volume, symbol="T", timeframe="1d")


@pytest.fixture(scope="module")
def synthetic_frame(synthetic_ohlcv: pd.DataFrame) -> pd.DataFrame:
    return indicator_frame(synthetic_ohlcv.iloc[:800])


def test_components_synthetic_bars_bounded_in_unit_interval(synthetic_frame: pd.DataFrame) -> None:
    comps = compute_components(synthetic_frame)
    tech = comps[["trend", "momentum", "volatility", "volume"]]
    values = tech.to_numpy()
    assert np.nanmin(values) >= 0.0 and np.nanmax(values) <= 1.0
    # After warm-up every technical component has a value; sentiment/model stay missing.
    assert tech.iloc[100:].notna().all().all()
    assert comps[["sentiment", "model"]].isna().all().all()


def test_components_first_bar_in_warmup_is_nan(synthetic_frame: pd.DataFrame) -> None:
    comps = compute_components(synthetic_frame)
    assert comps[["trend", "momentum", "volatility", "volume"]].iloc[0].isna().all()


@pytest.mark.parametrize("score_fn", [trend_score, momentum_score, volume_score])
def test_directional_component_uptrend_scores_above_downtrend(score_fn) -> None:
    up = score_fn(indicator_frame(_trending_bars(+0.004)))
    down = score_fn(indicator_frame(_trending_bars(-0.004)))
    assert up.iloc[60:].mean() > 0.5 > down.iloc[60:].mean()
    assert up.iloc[60:].mean() - down.iloc[60:].mean() > 0.1


def test_volatility_score_calm_regime_above_stressed_regime() -> None:
    rng = np.random.default_rng(3)
    n = 300
    vol = np.where(np.arange(n) < 200, 0.005, 0.04)  # calm, then a volatility spike
    close = 100 * np.exp(np.cumsum(vol * rng.standard_normal(n)))
    open_ = np.r_[close[0], close[:-1]]
    high, low = np.maximum(open_, close) * (1 + vol), np.minimum(open_, close) * (1 - vol)
    idx = pd.bdate_range("2020-01-01", periods=n, tz="UTC")
    bars = make_ohlcv(idx, open_, high, low, close, np.full(n, 1e6), symbol="V", timeframe="1d")
    score = volatility_score(indicator_frame(bars), window=252, min_periods=20)
    assert score.iloc[150:200].mean() > 0.3 > score.iloc[225:].mean()


def test_trailing_percentile_matches_naive_loop() -> None:
    rng = np.random.default_rng(5)
    x = pd.Series(rng.standard_normal(60))
    x.iloc[[3, 17]] = np.nan
    got = trailing_percentile(x, window=10, min_periods=4)
    for t in range(len(x)):
        win = x.iloc[max(0, t - 9): t + 1].dropna()
        if np.isnan(x.iloc[t]) or len(win) < 4:
            assert np.isnan(got.iloc[t])
            continue
        less = (win < x.iloc[t]).sum()
        equal = (win == x.iloc[t]).sum()
        expected = (less + (equal + 1) / 2 - 1) / (len(win) - 1)
        assert got.iloc[t] == pytest.approx(expected)


def test_sentiment_score_maps_range_and_keeps_missing() -> None:
    idx = pd.bdate_range("2024-01-01", periods=4, tz="UTC")
    frame = pd.DataFrame({"sentiment_score": [-1.0, 0.0, 1.0, np.nan],
                          "article_count": [1, 1, 1, 0]}, index=idx)
    out = sentiment_score(frame, idx)
    assert out.iloc[:3].tolist() == [0.0, 0.5, 1.0]
    assert np.isnan(out.iloc[3])
    assert sentiment_score(None, idx).isna().all()


def test_sentiment_score_stale_news_counts_as_missing() -> None:
    idx = pd.bdate_range("2024-01-01", periods=8, tz="UTC")
    frame = pd.DataFrame({"sentiment_score": 0.6, "article_count": [0, 1, 0, 0, 0, 0, 1, 0]},
                         index=idx)
    out = sentiment_score(frame, idx, max_age_bars=3)
    # Fresh for 3 bars after each article (its own bar included), then missing, never neutral.
    assert out.notna().tolist() == [False, True, True, True, False, False, True, True]
    assert out.dropna().eq(0.8).all()


def test_sentiment_score_misaligned_index_raises_data_error() -> None:
    idx = pd.bdate_range("2024-01-01", periods=3, tz="UTC")
    s = pd.Series([0.1, 0.2, 0.3], index=idx + pd.Timedelta(hours=1))
    with pytest.raises(DataError, match="index"):
        sentiment_score(s, idx)


def test_sentiment_score_out_of_range_raises_data_error() -> None:
    idx = pd.bdate_range("2024-01-01", periods=2, tz="UTC")
    with pytest.raises(DataError, match="outside"):
        sentiment_score(pd.Series([0.1, 1.5], index=idx), idx)


def test_model_score_fake_model_is_plugged_in(synthetic_frame: pd.DataFrame) -> None:
    def fake(features: pd.DataFrame) -> pd.Series:
        return (features["rsi_14"] / 100.0).rename("p")

    out = model_score(synthetic_frame, fake)
    pd.testing.assert_series_equal(out, (synthetic_frame["rsi_14"] / 100).rename("model"))


def test_model_score_out_of_range_raises_data_error(synthetic_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="outside"):
        model_score(synthetic_frame, lambda f: f["close"])


def test_model_score_misaligned_output_raises_data_error(synthetic_frame: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="index"):
        model_score(synthetic_frame, lambda f: pd.Series(0.5, index=f.index[:-1]))


def test_trend_score_missing_indicator_column_raises_data_error(
    synthetic_frame: pd.DataFrame,
) -> None:
    with pytest.raises(DataError, match="adx_14"):
        trend_score(synthetic_frame.drop(columns=["adx_14"]))
