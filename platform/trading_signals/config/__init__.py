"""Frozen pydantic configuration, loaded from YAML, named by a content hash."""

from __future__ import annotations

from trading_signals.config._base import FrozenModel, config_id, read_yaml, validate_mapping
from trading_signals.config.run import RunConfig, load_config

__all__ = ["FrozenModel", "RunConfig", "config_id", "load_config", "read_yaml", "validate_mapping"]
