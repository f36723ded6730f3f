"""Signals section: confluence fusion weights and thresholds."""

from __future__ import annotations

from trading_signals.config._base import FrozenModel


class SignalsConfig(FrozenModel):
    weights: dict[str, float] = {}
