"""No look-ahead: perturbing bars (and news) after t leaves every signal column up to t unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.config.signals import SignalsConfig
from trading_signals.data.synthetic import generate_universe
from trading_signals.signals.engine import generate_signals

from tests._perturb import perturb_after

DAILY = generate_universe(1, 420, seed=21).bars["SYN0000"]
HOURLY = generate_universe(1, 24 * 7 * 56, seed=22, timeframe="1h").bars["SYN0000"]
MTF = SignalsConfig(multi_timeframe=True)


def _sentiment(index: pd.DatetimeIndex, *, t: int | None, seed: int) -> pd.DataFrame:
    score = np.full(len(index), np.nan)
    score[100:] = np.tanh(np.sin(np.arange(len(index) - 100) / 7.0))
    if t is not None:  # news published after t changes
        score[t + 1:] = np.random.default_rng(seed).uniform(-1, 1, len(index) - t - 1)
    return pd.DataFrame({"sentiment_score": score, "article_count": 1.0}, index=index)


def _causal_model(features: pd.DataFrame) -> pd.Series:
    return (features["rsi_14"] / 100.0).ewm(span=5).mean()


def _assert_prefix_equal(a: pd.DataFrame, b: pd.DataFrame, t: int) -> None:
    pd.testing.assert_frame_equal(a.iloc[: t + 1], b.iloc[: t + 1], check_exact=True)


@settings(max_examples=8, deadline=None)
@given(t=st.integers(60, 400), scale=st.floats(0.3, 3.0), seed=st.integers(0, 2**16))
def test_generate_signals_perturb_after_t_daily_prefix_unchanged(t: int, scale: float, seed: int) -> None:
    bars = DAILY
    base = generate_signals(bars, sentiment=_sentiment(bars.index, t=None, seed=0),
                            model=_causal_model, config=MTF, timeframe="1d")
    changed = perturb_after(bars, t, scale=scale, seed=seed)
    other = generate_signals(changed, sentiment=_sentiment(bars.index, t=t, seed=seed),
                             model=_causal_model, config=MTF, timeframe="1d")
    _assert_prefix_equal(base, other, t)
    assert not base.iloc[t + 1:]["confluence_score"].equals(other.iloc[t + 1:]["confluence_score"])


@settings(max_examples=2, deadline=None)
@given(t=st.integers(24 * 7 * 52, 24 * 7 * 55), seed=st.integers(0, 2**16))
def test_consensus_perturb_after_t_hourly_all_timeframes_prefix_unchanged(t: int, seed: int) -> None:
    bars = HOURLY
    base = generate_signals(bars, config=MTF, timeframe="1h")
    changed = perturb_after(bars, t, scale=1.7, seed=seed)
    changed.attrs["timeframe"] = "1h"
    other = generate_signals(changed, config=MTF, timeframe="1h")
    assert base.iloc[: t + 1][["score_tf_4h", "score_tf_1d", "score_tf_1w"]].notna().any().all()
    _assert_prefix_equal(base, other, t)
