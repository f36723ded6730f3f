"""Hypothesis: aggregated sentiment never uses news published after a bar's close."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.sentiment import aggregate_sentiment

_T0 = pd.Timestamp("2021-03-01", tz="UTC")
_BARS = pd.date_range(_T0, periods=12, freq="6h")
_HL = pd.Timedelta("9h")

_items = st.lists(
    st.tuples(st.integers(min_value=-600, max_value=12 * 360 + 600),  # minutes from _T0
              st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)),
    min_size=0, max_size=25,
)


def _news(items: list[tuple[int, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "published_at": pd.DatetimeIndex([_T0 + pd.Timedelta(minutes=m) for m, _ in items], tz="UTC")
        if items else pd.DatetimeIndex([], tz="UTC"),
        "symbols": [["AAA"] for _ in items], "score": [s for _, s in items]})


def _agg(items: list[tuple[int, float]]) -> pd.DataFrame:
    return aggregate_sentiment(_news(items), _BARS, symbol="AAA", half_life=_HL)


@settings(max_examples=25, deadline=None)
@given(items=_items, late=st.tuples(st.integers(0, 12 * 360), st.floats(-1, 1, allow_nan=False)))
def test_pointintime_new_item_leaves_bars_closed_before_it_unchanged(items, late) -> None:
    before = _agg(items)
    after = _agg([*items, late])
    published = _T0 + pd.Timedelta(minutes=late[0])
    closes = _BARS + pd.Timedelta("6h")
    closed_earlier = np.asarray(closes <= published)
    pd.testing.assert_frame_equal(before[closed_earlier], after[closed_earlier])


@settings(max_examples=25, deadline=None)
@given(items=_items)
def test_pointintime_matches_naive_reference(items) -> None:
    out = _agg(items)
    closes = _BARS + pd.Timedelta("6h")
    for k, close in enumerate(closes):
        prev = _BARS[0] if k == 0 else closes[k - 1]
        used = [(m, s) for m, s in items if _T0 + pd.Timedelta(minutes=m) < close]
        count = sum(prev <= _T0 + pd.Timedelta(minutes=m) < close for m, _ in items)
        assert out["article_count"].iloc[k] == count
        if not used:
            assert np.isnan(out["sentiment_score"].iloc[k])
            continue
        ages = np.array([(close - (_T0 + pd.Timedelta(minutes=m))) / _HL for m, _ in used])
        w = 0.5**ages
        s = np.array([s for _, s in used])
        assert np.isclose(out["sentiment_score"].iloc[k], (w * s).sum() / w.sum(), atol=1e-9)
        assert np.isclose(out["sentiment_decayed"].iloc[k], (w * s).sum(), atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(items=_items)
def test_pointintime_item_order_does_not_matter(items) -> None:
    pd.testing.assert_frame_equal(_agg(items), _agg(items[::-1]), check_exact=False, atol=1e-12)
