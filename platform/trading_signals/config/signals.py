"""Signals section: sentiment scoring and confluence fusion."""

from __future__ import annotations

from trading_signals.config._base import FrozenModel


class SentimentConfig(FrozenModel):
    scorer: str = "default"
    model_path: str | None = None
    half_life_hours: float = 24.0


class SignalsConfig(FrozenModel):
    sentiment: SentimentConfig = SentimentConfig()
    weights: dict[str, float] = {}
