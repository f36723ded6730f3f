"""Point-in-time aggregation of scored news onto bars: decayed sentiment and article counts.

An item published at ``t`` may only affect bars whose close is strictly after ``t``. Bars are
stamped at their start (the lake convention), so by default a bar closes at
``index + bar_duration``; pass ``bar_close`` when the real close differs (e.g. an exchange
session that closes at 21:00 UTC inside a midnight-stamped daily bar).

All time arithmetic runs on int64 *nanoseconds* obtained with an explicit ``as_unit("ns")``: the
result does not depend on the resolution of the inputs (pandas 3 defaults to microseconds, Parquet
may give ``[ms]`` or ``[s]``), where ``asi8`` alone would return integers in each index's own unit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from trading_signals.errors import ConfigError, DataError
from trading_signals.timeframes import TIMEFRAME_TABLE

AGG_COLUMNS = ("sentiment_score", "article_count", "sentiment_decayed")
_TIMEFRAME_DURATION = {n: tf.duration for n, tf in TIMEFRAME_TABLE.items() if tf.duration}


def aggregate_sentiment(
    news_scored: pd.DataFrame,
    bar_index: pd.DatetimeIndex,
    *,
    symbol: str | None,
    half_life: pd.Timedelta,
    bar_close: pd.DatetimeIndex | None = None,
    bar_duration: pd.Timedelta | None = None,
) -> pd.DataFrame:
    """Aggregate scored news onto one symbol's bars without look-ahead.

    Parameters
    ----------
    news_scored
        Columns ``published_at`` (tz-aware), ``score`` in [-1, 1] and ``symbols`` (list) or
        ``symbol`` (str), e.g. from :func:`trading_signals.sentiment.scoring.score_news`.
    bar_index
        The bars' start stamps (tz-aware UTC, strictly increasing); the output's index.
    symbol
        Keep items that mention this symbol; ``None`` uses every item (market-wide news).
    half_life
        Weight of an item aged ``a`` at a bar close is ``0.5 ** (a / half_life)``.
    bar_close
        Close time of each bar; defaults to ``bar_index + bar_duration``.
    bar_duration
        Used only when ``bar_close`` is None; defaults to ``bar_index.freq`` (a fixed frequency
        such as ``'h'``/``'D'``; business-day ``'B'`` bars last one day, business-hour bars one
        hour; calendar offsets such as ``'MS'`` or ``'W'`` close at ``start + freq``), or else
        the smallest gap between stamps.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``bar_index``: ``sentiment_score`` (decay-weighted mean score of all items
        published before the close; NaN before the first item: missing is not neutral),
        ``article_count`` (items published in ``[previous close, this close)``; the first bar
        counts from its start stamp) and ``sentiment_decayed`` (decay-weighted *sum* of scores:
        fades toward 0 when news stops; NaN before the first item).

    Notes
    -----
    Look-ahead: the value at bar ``k`` uses only items with ``published_at < bar_close[k]``;
    an item published exactly at a close counts for the next bar. Adding an item never
    changes bars that closed at or before its publish time.
    Equivalent (to rounding) to the naive per-bar sum over all earlier items.
    """
    half = _check_half_life(half_life)
    closes = _resolve_close(bar_index, bar_close, bar_duration)
    times, scores = _symbol_items(news_scored, symbol)
    return _aggregate(times, scores, pd.DatetimeIndex(bar_index), closes, half)


def aggregate_panel(
    news_scored: pd.DataFrame,
    bars: Mapping[str, pd.DataFrame],
    *,
    half_life: pd.Timedelta,
    bar_duration: pd.Timedelta | None = None,
) -> dict[str, pd.DataFrame]:
    """Run :func:`aggregate_sentiment` for every symbol of ``bars`` (serial, no Ray).

    The bar duration comes from ``bar_duration``, else each frame's ``attrs["timeframe"]``
    (``1mo`` uses a calendar month), else the gaps between stamps.

    Notes
    -----
    Same look-ahead semantics as :func:`aggregate_sentiment`, per symbol.
    """
    out: dict[str, pd.DataFrame] = {}
    for sym, frame in bars.items():
        idx = pd.DatetimeIndex(frame.index)
        tf = frame.attrs.get("timeframe")
        close = None
        if bar_duration is None and tf == "1mo":
            close = idx + pd.DateOffset(months=1)
        dur = bar_duration
        if dur is None and tf in _TIMEFRAME_DURATION:
            dur = pd.Timedelta(_TIMEFRAME_DURATION[tf])
        out[sym] = aggregate_sentiment(news_scored, idx, symbol=sym, half_life=half_life,
                                       bar_close=close, bar_duration=dur)
    return out


def _check_half_life(half_life: pd.Timedelta) -> float:
    try:
        hl = pd.Timedelta(half_life)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"half_life {half_life!r} is not a duration; use e.g. '24h'") from exc
    if pd.isna(hl) or hl <= pd.Timedelta(0):
        raise ConfigError(f"half_life must be a positive duration, got {half_life!r}")
    return float(hl.as_unit("ns").value)


def _resolve_close(index: pd.DatetimeIndex, bar_close: pd.DatetimeIndex | None,
                   bar_duration: pd.Timedelta | None) -> pd.DatetimeIndex:
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise DataError("bar_index must be a tz-aware DatetimeIndex (UTC); localize it first")
    if len(index) > 1 and not (index.is_monotonic_increasing and index.is_unique):
        raise DataError("bar_index must be strictly increasing and unique")
    if bar_close is not None:
        closes = pd.DatetimeIndex(bar_close)
        if len(closes) != len(index) or closes.tz is None:
            raise DataError(f"bar_close must be tz-aware with one close per bar ({len(index)})")
        if (closes < index).any() or (len(closes) > 1 and not closes.is_monotonic_increasing):
            raise DataError("bar_close must be increasing and not before each bar's start stamp")
        return closes.tz_convert("UTC")
    dur = bar_duration
    if dur is None and index.freq is not None:
        dur = _freq_duration(index.freq)
        if dur is None:  # a calendar offset (month, week, ...): the bar closes one period later
            return pd.DatetimeIndex(index + index.freq).tz_convert("UTC")
    if dur is None and len(index) > 1:
        dur = pd.Timedelta(int(np.diff(_ns(index)).min()), unit="ns")
    if dur is None or pd.Timedelta(dur) <= pd.Timedelta(0):
        raise ConfigError("cannot infer the bar duration from one bar; pass bar_duration or bar_close")
    return (index + pd.Timedelta(dur)).tz_convert("UTC")


def _freq_duration(freq: object) -> pd.Timedelta | None:
    offset = pd.tseries.frequencies.to_offset(freq)
    if isinstance(offset, pd.offsets.Tick):  # fixed length: 'h', 'D', '15min', ...
        return pd.Timedelta(offset)
    # A business-day bar stamped Friday covers Friday only: closing it at the next business day
    # (Monday, as index + freq would) would let weekend news into Friday's bar.
    if isinstance(offset, (pd.offsets.BusinessDay, pd.offsets.CustomBusinessDay)):
        return pd.Timedelta(days=1)
    if isinstance(offset, (pd.offsets.BusinessHour, pd.offsets.CustomBusinessHour)):
        return pd.Timedelta(hours=1)
    return None


def _ns(index: pd.DatetimeIndex) -> np.ndarray:
    # int64 nanoseconds since the epoch whatever the index's unit (s, ms, us or ns).
    return pd.DatetimeIndex(index).as_unit("ns").asi8


def _symbol_items(news: pd.DataFrame, symbol: str | None) -> tuple[np.ndarray, np.ndarray]:
    for col in ("published_at", "score"):
        if col not in news.columns:
            raise DataError(f"news_scored lacks column {col!r}; score the news first (score_news)")
    published = pd.DatetimeIndex(news["published_at"])
    if published.tz is None:
        raise DataError("news_scored.published_at must be tz-aware UTC (load it with load_news)")
    scores = news["score"].to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(scores) | (np.abs(scores) > 1.0))
    if bad.size:
        raise DataError(f"news_scored row {int(bad[0])}: score {scores[bad[0]]!r} is not in [-1, 1]")
    if symbol is None:
        mask = np.ones(len(news), dtype=bool)
    elif "symbols" in news.columns:
        mask = np.array([symbol in (s if isinstance(s, (list, tuple, np.ndarray)) else [s])
                         for s in news["symbols"]], dtype=bool)
    elif "symbol" in news.columns:
        mask = (news["symbol"] == symbol).to_numpy()
    else:
        raise DataError("news_scored needs a 'symbols' or 'symbol' column to select a symbol")
    times = _ns(published.tz_convert("UTC"))[mask]
    order = np.argsort(times, kind="stable")
    return times[order], scores[mask][order]


def _aggregate(times: np.ndarray, scores: np.ndarray, index: pd.DatetimeIndex,
               closes: pd.DatetimeIndex, half_ns: float) -> pd.DataFrame:
    c = _ns(closes)
    # Item i counts for bar k iff times[i] < c[k]: cut = number of items before each close.
    cut = np.searchsorted(times, c, side="left")
    start = np.empty_like(c)
    start[1:] = c[:-1]
    start[0] = min(_ns(index)[0], c[0]) if len(c) else 0
    count = cut - np.searchsorted(times, start, side="left")
    mean = np.full(len(c), np.nan)
    wsum = np.zeros(len(c))
    prev_c, prev_cut, w_acc, m_acc = None, 0, 0.0, np.nan
    for k in range(len(c)):
        if prev_c is not None:  # decay the running weight from the previous close to this one
            w_acc *= 0.5 ** ((c[k] - prev_c) / half_ns)
        new = slice(prev_cut, cut[k])
        if cut[k] > prev_cut:
            w_new = 0.5 ** ((c[k] - times[new]) / half_ns)
            w_tot = w_acc + float(w_new.sum())
            s_tot = (m_acc * w_acc if w_acc > 0 else 0.0) + float((w_new * scores[new]).sum())
            # Track the mean apart from the weight: a ratio of two underflowed sums is undefined.
            m_acc = s_tot / w_tot if w_tot > 0 else float(np.mean(scores[new]))
            w_acc = w_tot
        mean[k], wsum[k] = m_acc, w_acc
        prev_c, prev_cut = c[k], cut[k]
    seen = cut > 0
    return pd.DataFrame({"sentiment_score": mean, "article_count": count.astype(np.int64),
                         "sentiment_decayed": np.where(seen, mean * wsum, np.nan)}, index=index)
