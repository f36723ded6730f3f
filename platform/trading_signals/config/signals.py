"""Signals section: component weights, label thresholds, timeframe weights and warm-up policy."""

from __future__ import annotations

from itertools import pairwise
from typing import Self

from pydantic import Field, field_validator, model_validator

from trading_signals._typing import TIMEFRAMES
from trading_signals.config._base import FrozenModel

#: Components the confluence engine knows, in explanation order.
COMPONENT_NAMES: tuple[str, ...] = ("trend", "momentum", "volatility", "volume", "sentiment", "model")

DEFAULT_WEIGHTS: dict[str, float] = {
    "trend": 0.25,
    "momentum": 0.25,
    "volatility": 0.10,
    "volume": 0.15,
    "sentiment": 0.15,
    "model": 0.10,
}

# Seed of issue #4: 1h/4h/1d/1w consensus weights.
DEFAULT_TIMEFRAME_WEIGHTS: dict[str, float] = {"1h": 0.1, "4h": 0.2, "1d": 0.4, "1w": 0.3}


class SignalThresholds(FrozenModel):
    """Cut points on ``confluence_score`` in [0, 1], strictly increasing.

    A score ``s`` is labelled STRONG_SELL if ``s <= strong_sell``, SELL if ``s <= sell``,
    HOLD if ``s < buy``, BUY if ``s < strong_buy`` and STRONG_BUY otherwise.
    """

    strong_sell: float = Field(0.30, ge=0.0, le=1.0)
    sell: float = Field(0.40, ge=0.0, le=1.0)
    buy: float = Field(0.60, ge=0.0, le=1.0)
    strong_buy: float = Field(0.70, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _increasing(self) -> Self:
        cuts = [self.strong_sell, self.sell, self.buy, self.strong_buy]
        if any(b <= a for a, b in pairwise(cuts)):
            raise ValueError(
                "thresholds must be strictly increasing: strong_sell < sell < buy < strong_buy "
                f"(got {cuts})"
            )
        return self


class SignalsConfig(FrozenModel):
    """How component scores are fused into labelled, explained signals.

    ``required_components`` and ``min_coverage`` are the warm-up policy: a bar gets a signal
    only when every required component has a value and the weights of the components present
    add up to at least ``min_coverage`` of the total weight. ``sentiment_max_age_bars``: the
    sentiment component counts as missing when no article arrived in that many bars (stale
    news is not evidence; None keeps it forever).
    """

    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    thresholds: SignalThresholds = SignalThresholds()
    required_components: tuple[str, ...] = ("trend", "momentum", "volatility", "volume")
    min_coverage: float = Field(0.5, gt=0.0, le=1.0)
    sentiment_max_age_bars: int | None = Field(5, ge=1)
    volatility_window: int = Field(252, ge=10)
    volatility_min_periods: int = Field(20, ge=5)
    timeframe_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_TIMEFRAME_WEIGHTS)
    )
    multi_timeframe: bool = False

    @field_validator("weights")
    @classmethod
    def _check_weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(COMPONENT_NAMES))
        if unknown:
            raise ValueError(f"unknown component(s) {unknown}; use names from {list(COMPONENT_NAMES)}")
        if any(w < 0 for w in value.values()):
            raise ValueError(f"weights must be >= 0 (got {value})")
        if value and sum(value.values()) <= 0:
            raise ValueError("at least one weight must be > 0")
        # An empty mapping means "use the defaults", so `{}` stays a valid config.
        return value or dict(DEFAULT_WEIGHTS)

    @field_validator("required_components")
    @classmethod
    def _check_required(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(COMPONENT_NAMES))
        if unknown:
            raise ValueError(f"unknown component(s) {unknown}; use names from {list(COMPONENT_NAMES)}")
        return value

    @field_validator("timeframe_weights")
    @classmethod
    def _check_tf_weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(TIMEFRAMES))
        if unknown:
            raise ValueError(f"unknown timeframe(s) {unknown}; use names from {list(TIMEFRAMES)}")
        if any(w < 0 for w in value.values()):
            raise ValueError(f"timeframe weights must be >= 0 (got {value})")
        return value or dict(DEFAULT_TIMEFRAME_WEIGHTS)

    @model_validator(mode="after")
    def _check_windows(self) -> Self:
        if self.volatility_min_periods > self.volatility_window:
            raise ValueError(
                "volatility_min_periods must be <= volatility_window "
                f"(got {self.volatility_min_periods} > {self.volatility_window})"
            )
        return self
