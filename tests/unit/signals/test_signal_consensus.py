"""Multi-timeframe consensus: causal alignment, weighted score, votes and agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.config.signals import SignalsConfig, SignalThresholds
from trading_signals.data.schema import make_ohlcv
from trading_signals.signals.consensus import multi_timeframe_consensus
from trading_signals.signals.engine import generate_signals
from trading_signals.signals.labels import LABELS

TH = SignalThresholds()


def _daily_bars(n: int = 70) -> pd.DataFrame:
    idx = pd.date_range("2024-01-01", periods=n, freq="D", tz="UTC")  # 2024-01-01 is a Monday
    close = 100 + np.arange(n, dtype=float)
    return make_ohlcv(idx, close, close + 1, close - 1, close, np.full(n, 10.0),
                      symbol="C", timeframe="1d")


def _ramp(bars: pd.DataFrame) -> pd.Series:
    # The score identifies the bar it was computed on: 0.1 + position / 1000.
    return pd.Series(0.1 + np.arange(len(bars)) / 1000.0, index=bars.index)


def test_consensus_weekly_score_visible_only_after_week_closes() -> None:
    bars = _daily_bars()
    out = multi_timeframe_consensus(bars, base_timeframe="1d", timeframe_weights={"1d": 1, "1w": 1},
                                    thresholds=TH, score_fn=_ramp)
    weekly = out["score_tf_1w"]
    for ts, value in weekly.items():
        day_end = ts + pd.Timedelta(days=1)
        closed_weeks = [w for w in range(10) if pd.Timestamp("2024-01-01", tz="UTC")
                        + pd.Timedelta(weeks=w + 1) <= day_end]
        if not closed_weeks:
            assert np.isnan(value)
        else:
            assert value == pytest.approx(0.1 + max(closed_weeks) / 1000.0)
    # Sunday (the week's last day) already sees its own week; Saturday does not.
    assert weekly.loc["2024-01-07"] == pytest.approx(0.1)
    assert np.isnan(weekly.loc["2024-01-06"])


def test_consensus_score_is_weighted_mean_of_present_timeframes() -> None:
    bars = _daily_bars()
    weights = {"1h": 0.1, "4h": 0.2, "1d": 0.4, "1w": 0.3}
    out = multi_timeframe_consensus(bars, base_timeframe="1d", timeframe_weights=weights,
                                    thresholds=TH, score_fn=_ramp)
    assert out["score_tf_1h"].isna().all()  # finer than the base: cannot be built, reported
    last = out.iloc[-1]
    expected = (0.4 * last["score_tf_1d"] + 0.3 * last["score_tf_1w"]) / 0.7
    assert last["consensus_score"] == pytest.approx(expected)
    assert last["timeframes_missing"] == "1h, 4h"
    votes = out[[f"votes_{lab}" for lab in LABELS]].sum(axis=1)
    assert (votes.iloc[-1] == 2) and (votes.iloc[0] == 1)


def test_consensus_agreement_full_when_all_timeframes_share_side() -> None:
    bars = _daily_bars()
    out = multi_timeframe_consensus(
        bars, base_timeframe="1d", timeframe_weights={"1d": 1, "1w": 1}, thresholds=TH,
        score_fn=lambda b: pd.Series(0.9, index=b.index))
    assert (out["consensus_agreement"].dropna() == 1.0).all()
    assert (out["consensus_signal"] == "STRONG_BUY").all()


def test_generate_signals_hourly_base_includes_all_seed_timeframes(synthetic_universe) -> None:
    from trading_signals.data.synthetic import generate_universe

    hourly = generate_universe(1, 24 * 7 * 60, seed=2, timeframe="1h").bars["SYN0000"]
    out = generate_signals(hourly, config=SignalsConfig(multi_timeframe=True), timeframe="1h")
    tail = out.iloc[-24:]
    for tf in ("1h", "4h", "1d", "1w"):
        assert tail[f"score_tf_{tf}"].notna().all(), tf
    assert (tail["timeframes_missing"] == "").all()
    assert tail["consensus_score"].between(0, 1).all()
