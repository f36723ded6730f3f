"""Features section: indicator spec, ML features and timeframes.

YAML example (``features.indicators`` omitted or ``null`` means the full default set)::

    features:
      indicators:
        - {name: rsi, params: {timeperiod: 14}}          # -> rsi_14
        - {name: bbands, params: {timeperiod: 20}}       # -> bb_upper_20, bb_middle_20, bb_lower_20
        - {name: sma, params: {timeperiod: 5}, alias: fast_ma}   # -> fast_ma

Names and params are checked against the indicator registry when the spec is compiled
(:func:`trading_signals.features.indicators.compile_spec`), which raises ``ConfigError`` listing
the valid names or params; this module stays free of feature-layer imports.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from trading_signals.config._base import FrozenModel
from trading_signals.config.data import check_timeframe


class IndicatorSpec(FrozenModel):
    """One indicator family by registry name with keyword params and an optional column alias.

    ``params`` use TA-Lib's keyword names (``timeperiod``, ``fastperiod``, ``nbdevup``, ...);
    missing params take TA-Lib's defaults. ``alias`` renames the output: the column itself for
    single-output families, ``<alias>_<key>`` (e.g. ``_upper``) for multi-output ones.
    """

    name: str = Field(description="indicator family, e.g. sma, rsi, bbands (see docs/indicators.md)")
    params: dict[str, Any] = Field(default_factory=dict, description="TA-Lib keyword params")
    alias: str | None = Field(default=None, description="output column name (prefix if several)")

    @field_validator("name")
    @classmethod
    def _lower_name(cls, value: str) -> str:
        return value.strip().lower()


class FeaturesConfig(FrozenModel):
    indicators: tuple[IndicatorSpec, ...] | None = Field(
        default=None, description="indicator spec (null: the full default set; names checked "
                                  "against the indicator registry before any work)")
    ml_features: bool = Field(default=True, description="add the 17 ML features")
    higher_timeframes: tuple[str, ...] = Field(
        default=(), description="higher timeframes joined point-in-time (suffix __<tf>)")

    @field_validator("higher_timeframes")
    @classmethod
    def _timeframes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tf in value:
            check_timeframe(tf)
        return value
