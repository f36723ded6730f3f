"""News sentiment: scorers behind one interface, evaluation, point-in-time aggregation."""

from __future__ import annotations

from trading_signals.sentiment.aggregate import aggregate_panel, aggregate_sentiment
from trading_signals.sentiment.base import SENTIMENT_CLASSES, SentimentScorer, SentimentScores
from trading_signals.sentiment.evaluate import classification_report, evaluate_scorer
from trading_signals.sentiment.registry import get_scorer
from trading_signals.sentiment.scoring import score_news

__all__ = [
    "SENTIMENT_CLASSES",
    "SentimentScorer",
    "SentimentScores",
    "aggregate_panel",
    "aggregate_sentiment",
    "classification_report",
    "evaluate_scorer",
    "get_scorer",
    "score_news",
]
