"""LightGBM baseline with deterministic parameters and a native text artifact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from trading_signals.errors import DataError

_PARAMS_FILE = "params.json"
_MODEL_FILE = "model.txt"


class LightGBMRegressor(RegressorMixin, BaseEstimator):
    """Gradient-boosted trees (LightGBM) with reproducible, single-threaded defaults.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, max_depth, min_child_samples, subsample,
    colsample_bytree, reg_lambda
        Passed to ``lightgbm.LGBMRegressor``.
    random_state
        Seeds LightGBM; with ``deterministic=True`` and ``n_jobs=1`` predictions repeat exactly.
    n_jobs
        Threads LightGBM may use (1 by default: Ray gives each trial one CPU).

    Notes
    -----
    A row's prediction uses only that row's features; the caller keeps training rows before
    the rows it scores (see :mod:`trading_signals.models.splits`).
    """

    def __init__(
        self,
        *,
        n_estimators: int = 200,
        learning_rate: float = 0.02,
        num_leaves: int = 7,
        max_depth: int = -1,
        min_child_samples: int = 100,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_lambda: float = 0.0,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> LightGBMRegressor:
        """Fit the booster on ``X, y`` and return ``self``."""
        import lightgbm as lgb

        arr, target = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64, y_numeric=True)
        model = lgb.LGBMRegressor(
            n_estimators=self.n_estimators, learning_rate=self.learning_rate, num_leaves=self.num_leaves,
            max_depth=self.max_depth, min_child_samples=self.min_child_samples,
            subsample=self.subsample, subsample_freq=1 if self.subsample < 1.0 else 0,
            colsample_bytree=self.colsample_bytree, reg_lambda=self.reg_lambda,
            random_state=self.random_state, n_jobs=self.n_jobs, deterministic=True,
            force_col_wise=True, verbose=-1,
        )
        model.fit(arr, target)
        self.booster_ = model.booster_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Return one prediction per row of ``X``."""
        check_is_fitted(self, "booster_")
        arr = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        return np.asarray(self.booster_.predict(arr), dtype=np.float64)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Gain importance per feature."""
        check_is_fitted(self, "booster_")
        return np.asarray(self.booster_.feature_importance(importance_type="gain"), dtype=np.float64)

    def save(self, path: str | Path) -> None:
        """Write ``model.txt`` (LightGBM's native text format) and ``params.json`` into ``path``."""
        check_is_fitted(self, "booster_")
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        self.booster_.save_model(str(out / _MODEL_FILE))
        meta = {"params": self.get_params(), "n_features_in_": int(self.n_features_in_),
                "feature_names_in_": [str(c) for c in getattr(self, "feature_names_in_", [])]}
        (out / _PARAMS_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    def to_text(self) -> str:
        """Return the fitted booster in LightGBM's text format (see :meth:`from_text`)."""
        check_is_fitted(self, "booster_")
        return str(self.booster_.model_to_string())

    @classmethod
    def from_text(cls, text: str, *, features: list[str] | None = None,
                  params: dict[str, Any] | None = None) -> LightGBMRegressor:
        """Rebuild a fitted model from :meth:`to_text` output (nothing unpickled).

        ``features`` restores ``feature_names_in_`` (checked against frames at predict time).
        """
        import lightgbm as lgb

        model = cls(**(params or {}))
        model.booster_ = lgb.Booster(model_str=text)
        model.n_features_in_ = int(model.booster_.num_feature())
        if features:
            if len(features) != model.n_features_in_:
                raise DataError(f"LightGBM text has {model.n_features_in_} features, "
                                f"got {len(features)} names")
            model.feature_names_in_ = np.asarray(features, dtype=object)
        return model

    @classmethod
    def load(cls, path: str | Path) -> LightGBMRegressor:
        """Rebuild a fitted model from :meth:`save` output (plain text, nothing unpickled)."""
        import lightgbm as lgb

        src = Path(path)
        if not (src / _MODEL_FILE).is_file():
            raise DataError(f"{src}: no {_MODEL_FILE}; is this a LightGBMRegressor artifact?")
        meta = json.loads((src / _PARAMS_FILE).read_text(encoding="utf-8"))
        model = cls(**meta["params"])
        model.booster_ = lgb.Booster(model_file=str(src / _MODEL_FILE))
        model.n_features_in_ = int(meta["n_features_in_"])
        if meta.get("feature_names_in_"):
            model.feature_names_in_ = np.asarray(meta["feature_names_in_"], dtype=object)
        return model

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
