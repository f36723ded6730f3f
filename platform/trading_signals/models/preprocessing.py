"""Fit-window feature scaling as a scikit-learn pipeline step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class FitWindowScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise features with statistics of the rows seen in ``fit`` only, then clip.

    Parameters
    ----------
    robust
        Use median and IQR / 1.349 instead of mean and standard deviation.
    clip
        Clip scaled values to ``[-clip, clip]`` (None: no clipping).
    fill_value
        Value given to NaN inputs after scaling (0 = the training centre), so sequences and
        trees see no NaN; None keeps NaN.

    Notes
    -----
    Valid at inference time: ``transform`` only uses statistics frozen in ``fit``, so fitting on
    the training window and transforming later rows leaks nothing (qlib ``fit_start_time``).
    """

    def __init__(self, *, robust: bool = False, clip: float | None = 5.0, fill_value: float | None = 0.0) -> None:
        self.robust = robust
        self.clip = clip
        self.fill_value = fill_value

    def fit(self, X: Any, y: Any = None) -> FitWindowScaler:
        """Learn centre and scale per column from the training rows ``X``."""
        arr = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        if self.robust:
            q1, med, q3 = np.nanpercentile(arr, [25, 50, 75], axis=0)
            centre, scale = med, (q3 - q1) / 1.349
        else:
            centre, scale = np.nanmean(arr, axis=0), np.nanstd(arr, axis=0)
        scale = np.where(np.isfinite(scale) & (scale > 1e-12), scale, 1.0)
        self.center_ = np.where(np.isfinite(centre), centre, 0.0)
        self.scale_ = scale
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Scale ``X`` with the fitted statistics."""
        check_is_fitted(self, ["center_", "scale_"])
        arr = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64, reset=False)
        out = (arr - self.center_) / self.scale_
        if self.clip is not None:
            out = np.clip(out, -self.clip, self.clip)
        if self.fill_value is not None:
            out = np.where(np.isnan(out), self.fill_value, out)
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
