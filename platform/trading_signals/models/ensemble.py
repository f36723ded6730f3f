"""Stacked ensemble whose meta-learner only sees out-of-fold, time-ordered predictions."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted, validate_data

from trading_signals.models.base import row_timestamps
from trading_signals.models.preprocessing import FitWindowScaler
from trading_signals.models.splits import purged_walk_forward_splits


class StackedEnsemble(RegressorMixin, BaseEstimator):
    """Random forest, gradient boosting and ridge, blended by a ridge meta-learner.

    Parameters
    ----------
    n_splits, purge, embargo
        Time-ordered purged folds (:func:`purged_walk_forward_splits`) that produce the
        out-of-fold (OOF) predictions the meta-learner is trained on.
    n_estimators, max_depth, min_samples_leaf
        Tree sizes of both tree learners.
    learning_rate
        Gradient boosting shrinkage.
    alpha, meta_alpha
        Ridge penalties of the linear base learner and the meta-learner.
    random_state
        Seeds both tree learners.

    Notes
    -----
    Base learners predict each fold's rows from models fitted only on earlier rows (minus the
    purge gap), so the meta-learner never sees an in-sample prediction (the seed version did,
    which leaks). Rows before the first test block have no OOF prediction and only train the
    base learners. After stacking, the base learners are refitted on all rows. Preprocessing
    (scaling for ridge) is fitted inside each fit call, i.e. on training rows only.
    """

    def __init__(
        self,
        *,
        n_splits: int = 3,
        purge: int = 1,
        embargo: int = 0,
        n_estimators: int = 100,
        max_depth: int = 4,
        min_samples_leaf: int = 20,
        learning_rate: float = 0.05,
        alpha: float = 1.0,
        meta_alpha: float = 1.0,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.n_splits = n_splits
        self.purge = purge
        self.embargo = embargo
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.meta_alpha = meta_alpha
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _base_learners(self) -> list[tuple[str, Any]]:
        return [
            ("rf", RandomForestRegressor(n_estimators=self.n_estimators, max_depth=self.max_depth,
                                         min_samples_leaf=self.min_samples_leaf, max_features=0.5,
                                         random_state=self.random_state, n_jobs=self.n_jobs)),
            ("gbr", GradientBoostingRegressor(n_estimators=self.n_estimators, max_depth=min(self.max_depth, 3),
                                              learning_rate=self.learning_rate, subsample=0.8,
                                              min_samples_leaf=self.min_samples_leaf,
                                              random_state=self.random_state)),
            ("ridge", Pipeline([("scale", FitWindowScaler()), ("ridge", Ridge(alpha=self.alpha))])),
        ]

    def fit(self, X: Any, y: Any) -> StackedEnsemble:
        """Fit base learners, train the meta-learner on their OOF predictions, refit bases."""
        times = row_timestamps(X)
        arr, target = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        n_u = len(np.unique(times))
        if n_u < 2 * (self.n_splits + 1) + self.purge:
            raise ValueError(
                f"StackedEnsemble needs at least {2 * (self.n_splits + 1) + self.purge} distinct "
                f"timestamps for {self.n_splits} OOF folds, got n_samples = {n_u}; reduce n_splits"
            )
        folds = purged_walk_forward_splits(times, n_splits=self.n_splits, purge=self.purge, embargo=self.embargo)
        oof = np.full((len(arr), 3), np.nan)
        for train_idx, test_idx in folds:
            for j, (_, est) in enumerate(self._base_learners()):
                oof[test_idx, j] = clone(est).fit(arr[train_idx], target[train_idx]).predict(arr[test_idx])
        has_oof = np.isfinite(oof).all(axis=1)
        self.meta_ = Ridge(alpha=self.meta_alpha).fit(oof[has_oof], target[has_oof])
        self.n_oof_rows_ = int(has_oof.sum())
        self.estimators_ = [clone(est).fit(arr, target) for _, est in self._base_learners()]
        return self

    def _base_predictions(self, X: Any) -> np.ndarray:
        check_is_fitted(self, ["meta_", "estimators_"])
        arr = validate_data(self, X, dtype=np.float64, reset=False)
        return np.column_stack([est.predict(arr) for est in self.estimators_])

    def predict(self, X: Any) -> np.ndarray:
        """Return the meta-learner's blend of the base learners' predictions."""
        base = self._base_predictions(X)
        return np.asarray(self.meta_.predict(base), dtype=np.float64)

    def predict_uncertainty(self, X: Any) -> np.ndarray:
        """Return the standard deviation across base learners' predictions, one per row.

        Notes
        -----
        A disagreement measure, not a calibrated interval: large when the learners differ.
        """
        return np.asarray(self._base_predictions(X).std(axis=1), dtype=np.float64)
