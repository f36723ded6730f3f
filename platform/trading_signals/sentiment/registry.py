"""Scorer registry: ``get_scorer(name, **kw)`` for config-driven selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trading_signals.errors import ConfigError
from trading_signals.sentiment.base import SentimentScorer


def _lexicon(**kw: Any) -> SentimentScorer:
    from trading_signals.sentiment.lexicon import LexiconScorer

    return LexiconScorer(**kw)


def _default(**kw: Any) -> SentimentScorer:
    scorer = _lexicon(**kw)
    scorer.name = "default"  # instance label; the rules are the lexicon's
    return scorer


def _embedding(**kw: Any) -> SentimentScorer:
    from trading_signals.sentiment.embedding import EmbeddingScorer

    return EmbeddingScorer(**kw)


def _transformer(**kw: Any) -> SentimentScorer:
    from trading_signals.sentiment.transformer import TransformerScorer

    if not kw.get("model_path"):
        raise ConfigError("scorer 'transformer' needs model_path (a local model directory); "
                          "set sentiment.model_path in the config or pass --model-path")
    return TransformerScorer(**kw)


SCORERS: dict[str, Callable[..., SentimentScorer]] = {
    "default": _default,
    "lexicon": _lexicon,
    "embedding": _embedding,
    "transformer": _transformer,
}


def get_scorer(name: str, **kw: Any) -> SentimentScorer:
    """Return a scorer by name: ``default`` (the compositional rule scorer), ``lexicon``,
    ``embedding`` or ``transformer`` (needs ``model_path``).

    Raises
    ------
    ConfigError
        For an unknown name or missing/invalid keyword arguments.

    >>> get_scorer("default").score(["Net sales rose 9 %"]).label
    ('positive',)
    """
    factory = SCORERS.get(name)
    if factory is None:
        raise ConfigError(f"unknown sentiment scorer {name!r}; use one of {', '.join(SCORERS)}")
    try:
        return factory(**kw)
    except TypeError as exc:
        raise ConfigError(f"scorer {name!r}: bad options {sorted(kw)}: {exc}") from exc
