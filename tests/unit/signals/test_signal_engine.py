"""generate_signals end to end: explanations, warm-up, sentiment and a plugged-in model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.config.signals import SignalsConfig
from trading_signals.errors import DataError
from trading_signals.signals.engine import generate_signals, signals_for_symbol
from trading_signals.signals.labels import LABELS


@pytest.fixture(scope="module")
def bars(synthetic_universe) -> pd.DataFrame:
    return synthetic_universe.bars["SYN0002"].iloc[:400]


def test_generate_signals_sample_bars_every_signal_explained(bars: pd.DataFrame) -> None:
    out = generate_signals(bars)
    signalled = out[out["signal"].notna()]
    assert len(signalled) > 300 and set(signalled["signal"]) <= set(LABELS)
    for (_, row) in signalled.iloc[::37].iterrows():
        assert row["explanation"].startswith(f"{row['signal']} {row['confluence_score']:.2f}: ")
        assert "missing: sentiment, model (weights renormalised)" in row["explanation"]
    assert out.attrs["symbol"] == "SYN0002" and out.index.equals(bars.index)


def test_generate_signals_first_signal_after_required_warmup(bars: pd.DataFrame) -> None:
    out = generate_signals(bars)
    first = out["signal"].first_valid_index()
    ready = out[[f"score_{c}" for c in ("trend", "momentum", "volatility", "volume")]]
    assert first == ready.dropna().index[0]


def test_generate_signals_with_sentiment_and_model_uses_both(bars: pd.DataFrame) -> None:
    sentiment = pd.DataFrame({"sentiment_score": np.nan, "article_count": 0}, index=bars.index)
    sentiment.iloc[200:, 0] = 0.8  # news only from bar 200 on, one article a bar
    sentiment.iloc[200:, 1] = 1
    out = generate_signals(bars, sentiment=sentiment, model=lambda f: (f["rsi_14"] / 100))
    assert out["missing_components"].iloc[150] == "sentiment"
    assert out["missing_components"].iloc[250] == ""
    assert out["contrib_sentiment"].iloc[250] > 0
    base = generate_signals(bars)
    # Positive news lifts the score relative to the technical-only signal.
    assert (out["confluence_score"].iloc[200:] >= base["confluence_score"].iloc[200:] - 0.2).all()
    assert out["score_sentiment"].iloc[250] == pytest.approx(0.9)


def test_generate_signals_weights_change_the_mix(bars: pd.DataFrame) -> None:
    cfg = SignalsConfig(weights={"trend": 1.0, "momentum": 0.0}, required_components=("trend",))
    out = generate_signals(bars, config=cfg)
    ok = out["signal"].notna()
    np.testing.assert_allclose(out.loc[ok, "confluence_score"], out.loc[ok, "score_trend"])


def test_signals_for_symbol_equals_generate_signals_with_sentiment_fn(bars: pd.DataFrame) -> None:
    def sentiment_fn(b: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"sentiment_score": 0.2, "article_count": 1}, index=b.index)

    got = signals_for_symbol(bars, sentiment_fn=sentiment_fn)
    expected = generate_signals(bars, sentiment=sentiment_fn(bars))
    pd.testing.assert_frame_equal(got, expected)


def test_generate_signals_unsorted_bars_raise_data_error(bars: pd.DataFrame) -> None:
    with pytest.raises(DataError):
        generate_signals(bars.iloc[::-1])


def test_generate_signals_model_features_passed_to_model(bars: pd.DataFrame) -> None:
    feats = pd.DataFrame({"p": np.linspace(0.0, 1.0, len(bars))}, index=bars.index)
    out = generate_signals(bars, model=lambda f: f["p"], model_features=feats)
    np.testing.assert_allclose(out["score_model"], feats["p"])
    with pytest.raises(DataError, match="model_features"):
        generate_signals(bars, model=lambda f: f["p"], model_features=feats.iloc[1:])
