"""Attach sentiment scores to a news table."""

from __future__ import annotations

import pandas as pd

from trading_signals.errors import DataError
from trading_signals.sentiment.base import SentimentScorer


def score_news(news: pd.DataFrame, scorer: SentimentScorer, *, use_body: bool = False) -> pd.DataFrame:
    """Return ``news`` with ``label, p_neg, p_neu, p_pos, score`` columns added.

    Parameters
    ----------
    news
        A table from :func:`trading_signals.data.news.load_news` (needs ``headline``).
    scorer
        Any :class:`~trading_signals.sentiment.base.SentimentScorer`.
    use_body
        Score ``headline + " " + body`` instead of the headline alone.

    Notes
    -----
    Each row is scored from its own text only; time enters later, in
    :func:`trading_signals.sentiment.aggregate.aggregate_sentiment`.
    """
    if "headline" not in news.columns:
        raise DataError("news table lacks 'headline'; load it with load_news")
    texts = news["headline"].astype(str)
    if use_body and "body" in news.columns:
        texts = (texts + " " + news["body"].fillna("").astype(str)).str.strip()
    scores = scorer.score(texts.tolist()).to_frame()
    scores.index = news.index
    out = news.drop(columns=[c for c in scores.columns if c in news.columns]).copy()
    return pd.concat([out, scores], axis=1)
