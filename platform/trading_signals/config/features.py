"""Features section: indicator spec, ML features and timeframes."""

from __future__ import annotations

from typing import Any

from trading_signals.config._base import FrozenModel


class IndicatorSpec(FrozenModel):
    """One indicator by registry name with keyword parameters (e.g. ``{name: rsi, params: {n: 14}}``)."""

    name: str
    params: dict[str, Any] = {}
    alias: str | None = None


class FeaturesConfig(FrozenModel):
    indicators: tuple[IndicatorSpec, ...] | None = None  # None: the full default set
    ml_features: bool = True
    higher_timeframes: tuple[str, ...] = ()
