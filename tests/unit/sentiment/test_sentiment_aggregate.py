"""Point-in-time aggregation: hand-checked decay, counts, NaN before news, bar-close conventions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.errors import ConfigError, DataError
from trading_signals.sentiment import aggregate_panel, aggregate_sentiment


def _news(rows: list[tuple[str, list[str], float]]) -> pd.DataFrame:
    return pd.DataFrame({"published_at": pd.to_datetime([r[0] for r in rows], utc=True),
                         "symbols": [r[1] for r in rows], "score": [r[2] for r in rows]})


@pytest.fixture
def days() -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=4, freq="D", tz="UTC")


def test_aggregate_hand_checked_decay_and_counts(days: pd.DatetimeIndex) -> None:
    news = _news([("2024-01-01 12:00", ["AAA"], 1.0), ("2024-01-02 00:00", ["AAA"], -1.0),
                  ("2024-01-02 18:00", ["BBB"], 1.0)])
    out = aggregate_sentiment(news, days, symbol="AAA", half_life=pd.Timedelta("12h"))
    # Bar 0 closes 01-02 00:00: only the 12:00 item (age 12 h, weight 0.5) -> mean 1.0.
    # The item at exactly 01-02 00:00 is not before that close: it belongs to bar 1.
    assert out["sentiment_score"].iloc[0] == pytest.approx(1.0)
    assert out["sentiment_decayed"].iloc[0] == pytest.approx(0.5)
    # Bar 1 closes 01-03 00:00: weights 0.5**3 (age 36 h) and 0.5**2 (age 24 h).
    w1, w2 = 0.5**3, 0.5**2
    assert out["sentiment_score"].iloc[1] == pytest.approx((w1 - w2) / (w1 + w2))
    assert out["sentiment_decayed"].iloc[1] == pytest.approx(w1 - w2)
    assert out["article_count"].tolist() == [1, 1, 0, 0]
    # No new item: the mean keeps its value, the decayed sum fades by 0.5**2 per day.
    assert out["sentiment_score"].iloc[3] == pytest.approx(out["sentiment_score"].iloc[1])
    assert out["sentiment_decayed"].iloc[2] == pytest.approx((w1 - w2) * 0.25)


def test_aggregate_before_first_item_is_nan_not_zero(days: pd.DatetimeIndex) -> None:
    news = _news([("2024-01-03 06:00", ["AAA"], 0.4)])
    out = aggregate_sentiment(news, days, symbol="AAA", half_life=pd.Timedelta("1D"))
    assert out["sentiment_score"].iloc[:2].isna().all()
    assert out["sentiment_decayed"].iloc[:2].isna().all()
    assert out["sentiment_score"].iloc[2] == pytest.approx(0.4)
    assert out["article_count"].tolist() == [0, 0, 1, 0]


def test_aggregate_explicit_bar_close_moves_the_cutoff(days: pd.DatetimeIndex) -> None:
    news = _news([("2024-01-01 22:00", ["AAA"], 1.0)])
    default = aggregate_sentiment(news, days, symbol="AAA", half_life=pd.Timedelta("1D"))
    session = aggregate_sentiment(news, days, symbol="AAA", half_life=pd.Timedelta("1D"),
                                  bar_close=days + pd.Timedelta("21h"))
    assert default["article_count"].iloc[0] == 1  # midnight close: 22:00 is inside bar 0
    assert np.isnan(session["sentiment_score"].iloc[0])  # 21:00 close: the item is too late
    assert session["article_count"].tolist() == [0, 1, 0, 0]


def test_aggregate_symbol_none_uses_all_items(days: pd.DatetimeIndex) -> None:
    news = _news([("2024-01-01 01:00", ["AAA"], 1.0), ("2024-01-01 02:00", ["BBB"], 1.0)])
    out = aggregate_sentiment(news, days, symbol=None, half_life=pd.Timedelta("1D"))
    assert out["article_count"].iloc[0] == 2


def test_aggregate_bad_inputs_raise_named_errors(days: pd.DatetimeIndex) -> None:
    news = _news([("2024-01-01 01:00", ["AAA"], 1.0)])
    with pytest.raises(ConfigError, match="half_life"):
        aggregate_sentiment(news, days, symbol="AAA", half_life=pd.Timedelta(0))
    with pytest.raises(DataError, match="score"):
        aggregate_sentiment(news.assign(score=[1.5]), days, symbol="AAA", half_life=pd.Timedelta("1h"))
    with pytest.raises(DataError, match="tz-aware"):
        aggregate_sentiment(news, days.tz_localize(None), symbol="AAA", half_life=pd.Timedelta("1h"))
    with pytest.raises(ConfigError, match="bar_duration"):
        aggregate_sentiment(news, pd.DatetimeIndex([days[0]]), symbol="AAA", half_life=pd.Timedelta("1h"))


def test_aggregate_panel_matches_per_symbol_calls(synthetic_universe) -> None:
    bars = {s: f.iloc[:30] for s, f in list(synthetic_universe.bars.items())[:2]}
    syms = list(bars)
    start = bars[syms[0]].index[0]
    news = _news([(str(start + pd.Timedelta(hours=30 * k + 5)), [syms[k % 2]], (-1) ** k * 0.5)
                  for k in range(20)])
    panel = aggregate_panel(news, bars, half_life=pd.Timedelta("2D"))
    for s in syms:
        alone = aggregate_sentiment(news, bars[s].index, symbol=s, half_life=pd.Timedelta("2D"),
                                    bar_duration=pd.Timedelta("1D"))
        pd.testing.assert_frame_equal(panel[s], alone)
        assert panel[s]["article_count"].sum() == 10
