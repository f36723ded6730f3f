"""Join news to bars for the sentiment component (scoring once, aggregating per symbol)."""

from __future__ import annotations

import pandas as pd

from trading_signals.config.sentiment import SentimentConfig
from trading_signals.features.timeframes import bar_end
from trading_signals.signals.engine import SentimentFn


def score_news_for_config(news: pd.DataFrame, *, config: SentimentConfig | None = None) -> pd.DataFrame:
    """Return ``news`` (a ``load_news`` table) with the configured scorer's columns added.

    The config-driven wrapper of :func:`trading_signals.sentiment.scoring.score_news` (which
    takes a scorer object).

    Already-scored tables (with a ``score`` column) are returned unchanged, so the CLI can
    score once before fanning symbols out.

    Notes
    -----
    Scoring is per article and uses only its own text: no time dependence.
    """
    if "score" in news.columns:
        return news
    from trading_signals.sentiment.registry import get_scorer
    from trading_signals.sentiment.scoring import score_news as _score

    cfg = config or SentimentConfig()
    kwargs = {"model_path": cfg.model_path} if cfg.model_path else {}
    return _score(news, get_scorer(cfg.scorer, **kwargs))


def sentiment_fn_for(
    news: pd.DataFrame,
    *,
    symbol: str,
    timeframe: str,
    config: SentimentConfig | None = None,
) -> SentimentFn:
    """Return ``bars -> per-bar sentiment frame`` for ``symbol`` (scores the news if needed).

    Notes
    -----
    Bars are stamped at their start, so a bar closes at ``start + duration``
    (:func:`~trading_signals.features.timeframes.bar_end`); only articles published before
    that close count at that bar (``aggregate_sentiment`` semantics).
    """
    from trading_signals.sentiment.aggregate import aggregate_sentiment

    cfg = config or SentimentConfig()
    scored = score_news_for_config(news, config=cfg)
    half_life = pd.Timedelta(hours=cfg.half_life_hours)

    def _fn(bars: pd.DataFrame) -> pd.DataFrame:
        return aggregate_sentiment(scored, bars.index, symbol=symbol,
                                   bar_close=bar_end(bars.index, timeframe), half_life=half_life)

    return _fn
