"""Hyper-parameter schemas of the model families, checked when a config is loaded.

``models.params`` (and each ``tune.studies[i].params``) is validated against the family's schema
here, so ``n_estimators: -5``, an LSTM ``hidden_size`` that ``num_heads`` does not divide, or
``lr: -1`` fail at ``load_config`` naming the key path, not minutes later inside a fit. The
schemas mirror the estimators' ``__init__`` keywords (a unit test keeps the two in step); this
module stays data-only, so the config layer imports nothing above it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from trading_signals.config._base import FrozenModel, KeyPathError


class LightGBMParams(FrozenModel):
    """``trading_signals.models.gbm.LightGBMRegressor``."""

    n_estimators: int = Field(200, ge=1)
    learning_rate: float = Field(0.02, gt=0)
    num_leaves: int = Field(7, ge=2)
    max_depth: int = Field(-1, ge=-1, description="-1: no limit")
    min_child_samples: int = Field(100, ge=1)
    subsample: float = Field(1.0, gt=0, le=1)
    colsample_bytree: float = Field(1.0, gt=0, le=1)
    reg_lambda: float = Field(0.0, ge=0)
    random_state: int = Field(0, ge=0)
    n_jobs: int = Field(1, ge=1)


class LSTMParams(FrozenModel):
    """``trading_signals.models.lstm.AttentionLSTMRegressor``."""

    seq_len: int = Field(16, ge=1)
    hidden_size: int = Field(32, ge=1)
    num_layers: int = Field(1, ge=1)
    num_heads: int = Field(2, ge=1)
    dropout: float = Field(0.0, ge=0, lt=1)
    lr: float = Field(1e-3, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    batch_size: int = Field(256, ge=1)
    max_epochs: int = Field(20, ge=1)
    patience: int = Field(3, ge=0)
    val_fraction: float = Field(0.2, ge=0, lt=1)
    purge: int = Field(1, ge=0)
    grad_clip: float | None = Field(1.0, gt=0)
    random_state: int = Field(0, ge=0)
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    num_threads: int | None = Field(1, ge=1)

    @model_validator(mode="after")
    def _heads(self) -> LSTMParams:
        if self.hidden_size % self.num_heads:
            raise KeyPathError("hidden_size", f"must be divisible by num_heads ({self.num_heads}), "
                               "the attention heads split the hidden state evenly", self.hidden_size)
        return self


class EnsembleParams(FrozenModel):
    """``trading_signals.models.ensemble.StackedEnsemble``."""

    n_splits: int = Field(3, ge=1)
    purge: int = Field(1, ge=0)
    embargo: int = Field(0, ge=0)
    n_estimators: int = Field(100, ge=1)
    max_depth: int = Field(4, ge=1)
    min_samples_leaf: int = Field(20, ge=1)
    learning_rate: float = Field(0.05, gt=0)
    alpha: float = Field(1.0, ge=0)
    meta_alpha: float = Field(1.0, ge=0)
    random_state: int = Field(0, ge=0)
    n_jobs: int = Field(1, ge=1)


#: Model family (``models.name``) -> schema of its ``params``.
PARAM_SCHEMAS: dict[str, type[FrozenModel]] = {
    "lightgbm": LightGBMParams, "lstm": LSTMParams, "ensemble": EnsembleParams,
}


def check_model_params(family: str, params: dict[str, Any], *, prefix: str = "params") -> None:
    """Raise :class:`KeyPathError` at ``<prefix>.<key>`` for the first bad parameter.

    Only the keys given are checked (the rest take the estimator's defaults). A search space
    may override some of them at run time; those are checked by the estimator.
    """
    schema = PARAM_SCHEMAS.get(family)
    if schema is None:
        return  # the family name itself is validated by its Literal field
    try:
        schema.model_validate(params)
    except ValidationError as exc:
        err = exc.errors()[0]
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, KeyPathError):
            raise KeyPathError(f"{prefix}.{ctx_err.path}", ctx_err.message, ctx_err.got) from None
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            valid = ", ".join(schema.model_fields)
            raise KeyPathError(f"{prefix}.{key}", f"not a parameter of {family!r}; valid: {valid}",
                               err.get("input")) from None
        raise KeyPathError(f"{prefix}.{key}", err["msg"], err.get("input")) from None
