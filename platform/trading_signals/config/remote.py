"""Remote section: the HTTP provider chain (order, timeouts, retries, backoff, circuit breaker)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from trading_signals.config._base import FrozenModel

ProviderName = Literal["alphavantage", "polygon", "stooq"]


class RemoteConfig(FrozenModel):
    """Settings of :class:`trading_signals.data.remote.ProviderChain`.

    API keys are never configured here: they come only from the environment
    (``ALPHAVANTAGE_API_KEY``, ``POLYGON_API_KEY``).
    """

    providers: tuple[ProviderName, ...] = Field(
        ("alphavantage", "polygon", "stooq"),
        min_length=1,
        description="providers tried in this order; a failing one falls back to the next",
    )
    timeout: float = Field(10.0, gt=0, description="seconds allowed per HTTP request (whole body)")
    max_attempts: int = Field(3, ge=1, le=10, description="HTTP attempts per provider and symbol")
    backoff_base: float = Field(0.5, ge=0, description="first backoff ceiling in seconds")
    backoff_cap: float = Field(8.0, ge=0, description="largest backoff ceiling in seconds")
    max_retry_after: float = Field(
        60.0, ge=0, description="longest 429 Retry-After honoured; longer means fall back now"
    )
    breaker_failures: int = Field(3, ge=1, description="consecutive failures that open a breaker")
    breaker_cooldown: float = Field(60.0, ge=0, description="seconds a breaker stays open")
    base_urls: dict[ProviderName, str] = Field(
        default_factory=dict, description="override a provider's base URL (e.g. a proxy or mock)"
    )
    stooq_suffix: str = Field(".us", description="market suffix added to bare Stooq symbols")

    @model_validator(mode="after")
    def _unique_providers(self) -> RemoteConfig:
        if len(set(self.providers)) != len(self.providers):
            raise ValueError(f"providers must not repeat, got {list(self.providers)}")
        return self
