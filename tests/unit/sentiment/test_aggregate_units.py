"""aggregate_sentiment does not depend on the datetime unit, and works on business-day bars.

Before the fix: times were taken with ``asi8`` (integers in each index's *own* unit) and compared
with nanosecond integers, so a ``datetime64[us]`` index (pandas 3's default) put every item at the
first bar and decayed 1000x too slowly; and a ``freq='B'`` index (the synthetic bars) raised
``ValueError: <BusinessDay> is a non-fixed frequency``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trading_signals.sentiment import aggregate_sentiment


def _news(unit: str) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    times = pd.to_datetime("2024-01-01", utc=True) + pd.to_timedelta(
        np.sort(rng.integers(0, 40 * 86_400, 60)), unit="s")
    return pd.DataFrame({"published_at": pd.DatetimeIndex(times).as_unit(unit),
                         "symbols": [["AAA"]] * 60, "score": rng.uniform(-1, 1, 60)})


def _days(unit: str) -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=45, freq="D", tz="UTC").as_unit(unit)


@pytest.mark.parametrize("bar_unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("news_unit", ["s", "us", "ns"])
def test_result_is_the_same_for_every_datetime_unit(bar_unit: str, news_unit: str) -> None:
    expected = aggregate_sentiment(_news("ns"), _days("ns"), symbol="AAA", half_life=pd.Timedelta("36h"))
    got = aggregate_sentiment(_news(news_unit), _days(bar_unit), symbol="AAA",
                              half_life=pd.Timedelta("36h").as_unit("s"))
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12, equal_nan=True)
    assert got["article_count"].sum() == 60  # every item counted once, not all at the first bar
    assert (got.index == _days(bar_unit)).all()


def test_explicit_bar_close_in_other_units_matches_ns() -> None:
    closes = _days("ns") + pd.Timedelta("21h")
    expected = aggregate_sentiment(_news("ns"), _days("ns"), symbol="AAA", half_life=pd.Timedelta("1D"),
                                   bar_close=closes)
    got = aggregate_sentiment(_news("us"), _days("s"), symbol="AAA", half_life=pd.Timedelta("1D"),
                              bar_close=closes.as_unit("ms"))
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12, equal_nan=True)


def test_business_day_index_closes_after_one_day() -> None:
    bdays = pd.bdate_range("2024-01-01", periods=30, tz="UTC")
    assert bdays.freqstr == "B"
    news = _news("ns")
    saturday = pd.DataFrame({"published_at": pd.to_datetime(["2024-01-06 10:00"], utc=True),
                             "symbols": [["AAA"]], "score": [1.0]})
    news = pd.concat([news, saturday], ignore_index=True).sort_values("published_at")
    out = aggregate_sentiment(news, bdays, symbol="AAA", half_life=pd.Timedelta("2D"))
    # A Friday bar covers Friday only: same as giving the one-day duration explicitly ...
    explicit = aggregate_sentiment(news, pd.DatetimeIndex(list(bdays)), symbol="AAA",
                                   half_life=pd.Timedelta("2D"), bar_duration=pd.Timedelta("1D"))
    pd.testing.assert_frame_equal(out, explicit, check_freq=False)
    # ... so weekend items count at no bar's window until Monday's close, never at Friday's.
    published = news["published_at"]
    for fri in bdays[bdays.day_of_week == 4]:
        same_day = published.between(fri, fri + pd.Timedelta("1D"), inclusive="left").sum()
        assert out.loc[fri, "article_count"] == same_day
    fri = pd.Timestamp("2024-01-05", tz="UTC")
    assert out.loc[fri, "sentiment_score"] == explicit.loc[fri, "sentiment_score"]
    without = news[news["published_at"] != saturday["published_at"].iloc[0]]
    before = aggregate_sentiment(without, bdays, symbol="AAA", half_life=pd.Timedelta("2D"))
    assert out.loc[:fri].equals(before.loc[:fri])  # the Saturday item does not reach Friday


def test_synthetic_bars_aggregate_without_error(synthetic_ohlcv: pd.DataFrame) -> None:
    idx = synthetic_ohlcv.index
    news = pd.DataFrame({"published_at": idx[[5, 10, 10]] + pd.Timedelta("3h"),
                         "symbols": [["SYN0000"]] * 3, "score": [0.5, -0.5, 1.0]})
    out = aggregate_sentiment(news, idx, symbol="SYN0000", half_life=pd.Timedelta("24h"))
    assert out["article_count"].sum() == 3
    assert out["sentiment_score"].iloc[:5].isna().all() and out["sentiment_score"].iloc[5] == 0.5


def test_calendar_month_freq_closes_one_month_later() -> None:
    months = pd.date_range("2024-01-01", periods=4, freq="MS", tz="UTC")
    news = pd.DataFrame({"published_at": pd.to_datetime(["2024-01-31 12:00"], utc=True),
                         "symbols": [["AAA"]], "score": [1.0]})
    out = aggregate_sentiment(news, months, symbol="AAA", half_life=pd.Timedelta("30D"))
    assert out["article_count"].tolist() == [1, 0, 0, 0]
