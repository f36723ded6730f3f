"""Tune section: search spaces as data, turned into ``ray.tune`` objects only in distributed/."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from trading_signals.config._base import FrozenModel


class TuneConfig(FrozenModel):
    num_samples: int = Field(8, ge=1)
    metric: str = "val_ic"
    mode: str = "max"
    search_space: dict[str, dict[str, Any]] = {}
