"""Features section: indicator spec, ML features and timeframes.

YAML example (``features.indicators`` omitted or ``null`` means the full default set)::

    features:
      indicators:
        - {name: rsi, params: {timeperiod: 14}}          # -> rsi_14
        - {name: bbands, params: {timeperiod: 20}}       # -> bb_upper_20, bb_middle_20, bb_lower_20
        - {name: sma, params: {timeperiod: 5}, alias: fast_ma}   # -> fast_ma

Names, params and output columns are checked against the indicator vocabulary
(:mod:`trading_signals.config.indicators`, which the feature layer's kernel registry is built
on) when the config is loaded: an unknown family, an unknown or out-of-range param, or two
specs producing one column fail ``load_config`` naming the key path
(``features.indicators.1.name``) and listing what is valid.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from trading_signals.config._base import FrozenModel
from trading_signals.config.data import check_timeframe
from trading_signals.config.indicators import check_unique_columns, resolve_params


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

    @model_validator(mode="after")
    def _known(self) -> IndicatorSpec:
        resolve_params(self.name, self.params)  # KeyPathError at name / params[.key]
        return self


class FeaturesConfig(FrozenModel):
    indicators: tuple[IndicatorSpec, ...] | None = Field(
        default=None, description="indicator spec (null: the full default set; names checked "
                                  "against the indicator registry before any work)")
    ml_features: bool = Field(default=True, description="add the 17 ML features")
    higher_timeframes: tuple[str, ...] = Field(
        default=(), description="higher timeframes joined point-in-time (suffix __<tf>)")

    @field_validator("indicators")
    @classmethod
    def _unique_columns(cls, value: tuple[IndicatorSpec, ...] | None,
                        ) -> tuple[IndicatorSpec, ...] | None:
        check_unique_columns(value or ())
        return value

    @field_validator("higher_timeframes")
    @classmethod
    def _timeframes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tf in value:
            check_timeframe(tf)
        return value
