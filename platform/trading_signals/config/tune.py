"""Tune section: search spaces as data, turned into ``ray.tune`` objects only in distributed/."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from trading_signals.config._base import FrozenModel
from trading_signals.config.model_params import check_model_params


class SearchDist(FrozenModel):
    """One search dimension, e.g. ``{dist: loguniform, low: 1e-4, high: 1e-2}``.

    ``choice`` takes ``values``; ``quniform`` takes ``low``, ``high`` and ``q``; ``randint``
    samples integers in ``[low, high)``; ``loguniform`` needs ``0 < low < high``.
    """

    dist: Literal["loguniform", "uniform", "randint", "choice", "quniform"]
    low: float | None = None
    high: float | None = None
    q: float | None = Field(None, gt=0)
    values: tuple[Any, ...] | None = None

    @model_validator(mode="after")
    def _check(self) -> SearchDist:
        if self.dist == "choice":
            if not self.values:
                raise ValueError("dist 'choice' needs a non-empty 'values' list")
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"dist {self.dist!r} needs 'low' and 'high'")
        if not self.low < self.high:
            raise ValueError(f"'low' ({self.low}) must be below 'high' ({self.high})")
        if self.dist == "loguniform" and self.low <= 0:
            raise ValueError(f"loguniform needs low > 0, got {self.low}")
        if self.dist == "quniform" and self.q is None:
            raise ValueError("dist 'quniform' needs 'q'")
        return self


class TuneStudyConfig(FrozenModel):
    """A model family to search: fixed ``params`` plus a ``search_space`` over the others."""

    model: Literal["lightgbm", "ensemble", "lstm"] = "lightgbm"
    params: dict[str, Any] = {}
    search_space: dict[str, SearchDist] = {}
    num_samples: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _params(self) -> TuneStudyConfig:
        check_model_params(self.model, self.params)
        return self


class TuneConfig(FrozenModel):
    """Ray Tune settings: ASHA over folds, Optuna search, one CPU (and optional GPUs) per trial.

    Each trial walks purged walk-forward folds in time order and reports the running mean of
    ``metric`` after each fold (the ASHA time unit). ``studies`` lists the model families to
    search; when empty, ``models.name`` is searched over ``search_space``.
    """

    num_samples: int = Field(8, ge=1)
    metric: Literal["rank_ic", "ic", "icir", "rank_icir", "directional_accuracy"] = "rank_ic"
    mode: Literal["max", "min"] = "max"
    search_space: dict[str, SearchDist] = {}
    studies: tuple[TuneStudyConfig, ...] = ()
    n_splits: int = Field(3, ge=1)
    test_size: int | None = Field(None, ge=1)
    train_size: int | None = Field(None, ge=1)
    purge: int | None = Field(None, ge=0)
    embargo: int = Field(0, ge=0)
    max_concurrent: int = Field(2, ge=1, description="trials run at once when deterministic is false")
    deterministic: bool = Field(True, description=(
        "run trials one at a time, so a seeded search repeats exactly (same trials, ASHA "
        "decisions, best config and metric); false runs max_concurrent trials at once: faster, "
        "but the order results arrive in changes ASHA's stopping decisions and, after Optuna's "
        "10 random start-up trials, its suggestions"))
    grace_period: int = Field(1, ge=1)
    reduction_factor: int = Field(2, ge=2)
    cpus_per_trial: float = Field(1.0, gt=0)
    gpus_per_trial: float = Field(0.0, ge=0)
    seed: int = 0
    storage_path: str = "artifacts/tune"
    experiment_name: str | None = None
