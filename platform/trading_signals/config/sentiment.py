"""Sentiment section: which scorer, where local weights live, point-in-time aggregation."""

from __future__ import annotations

from pydantic import Field

from trading_signals.config._base import FrozenModel


class SentimentConfig(FrozenModel):
    scorer: str = "default"
    model_path: str | None = None
    half_life_hours: float = Field(24.0, gt=0)
