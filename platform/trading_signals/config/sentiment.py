"""Sentiment section: which scorer, where local weights live, point-in-time aggregation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from trading_signals.config._base import FrozenModel


class SentimentConfig(FrozenModel):
    """How news is scored and aggregated onto bars.

    ``scorer``: ``default`` (offline compositional rules), ``lexicon`` (same rules),
    ``embedding`` (packaged MiniLM + authored-corpus head) or ``transformer`` (a local
    FinBERT-style directory in ``model_path``; never downloaded). ``half_life_hours`` sets the
    decay of older items; ``use_body`` scores headline + body instead of the headline.
    """

    scorer: Literal["default", "lexicon", "embedding", "transformer"] = "default"
    model_path: str | None = None
    half_life_hours: float = Field(24.0, gt=0)
    use_body: bool = False
    batch_size: int = Field(32, ge=1)

    @model_validator(mode="after")
    def _transformer_needs_path(self) -> SentimentConfig:
        if self.scorer == "transformer" and not self.model_path:
            raise ValueError("scorer 'transformer' needs model_path (a local model directory)")
        return self
