"""Feature normalisation as an explicit fit/transform step with a fit window.

Feature code never fits a scaler. :class:`FeatureScaler` learns its statistics only from the
rows of an explicit training window (``fit_start``/``fit_end`` or a boolean mask), so statistics
from test rows can never leak into what a model trains on (qlib's ``fit_start_time`` /
``fit_end_time`` processors).
"""

from __future__ import annotations

import warnings
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from trading_signals._typing import TIMESTAMP, BoolArray
from trading_signals.errors import ConfigError, DataError, NotFittedError

ScaleMethod = Literal["zscore", "robust", "rank"]
_METHODS: Final = ("zscore", "robust", "rank")


class FeatureScaler(BaseEstimator):  # type: ignore[misc]
    """Scale feature columns with statistics learnt on a training window only.

    Parameters
    ----------
    method
        ``"zscore"``: ``(x - mean) / std`` (ddof=0); ``"robust"``: ``(x - median) / IQR``
        (IQR = q75 - q25); ``"rank"``: the empirical CDF of the training values,
        ``(#train < x + #train <= x) / (2 n)``, in [0, 1] (0.5 = the training median).
    fit_start, fit_end
        Inclusive bounds of the fit window on the timestamp index (the ``timestamp`` level of a
        MultiIndex). Give them here, or pass ``train_mask`` to :meth:`fit`.
    clip
        If given, clip scaled ``zscore``/``robust`` values to ``[-clip, clip]``.

    Attributes
    ----------
    center_, scale_ : Series
        Per-column location and scale (zscore/robust). A zero or NaN scale becomes 1.0 (a
        constant training column maps to 0), with a warning.
    quantiles_ : dict[str, ndarray]
        Sorted finite training values per column (rank).
    feature_names_in_ : ndarray
        Column names seen in ``fit``; ``transform`` requires the same columns.
    n_fit_rows_ : int
        Training rows used.
    fit_start_, fit_end_ : Timestamp | None
        First and last timestamp actually used for fitting.
    is_for_infer : bool
        True: the fitted transform is valid at inference time (it only needs past statistics).

    Notes
    -----
    No look-ahead beyond the fit window: the fitted statistics depend only on rows inside the
    window, so changing any row outside it never changes them (tested). ``transform`` is
    row-wise, so it can be applied to any rows, including future ones. NaN inputs stay NaN and
    are ignored by the fit.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2024-01-01", periods=4, tz="UTC", name="timestamp")
    >>> X = pd.DataFrame({"a": [1.0, 3.0, 100.0, 5.0]}, index=idx)
    >>> s = FeatureScaler(fit_end="2024-01-02").fit(X)
    >>> s.transform(X)["a"].tolist()
    [-1.0, 1.0, 98.0, 3.0]
    """

    is_for_infer: bool = True

    def __init__(
        self,
        method: ScaleMethod = "zscore",
        *,
        fit_start: str | pd.Timestamp | None = None,
        fit_end: str | pd.Timestamp | None = None,
        clip: float | None = None,
    ) -> None:
        self.method = method
        self.fit_start = fit_start
        self.fit_end = fit_end
        self.clip = clip

    def fit(
        self, X: pd.DataFrame, y: Any = None, *, train_mask: BoolArray | pd.Series | None = None
    ) -> FeatureScaler:
        """Learn per-column statistics from the training rows of ``X`` only.

        Raises
        ------
        ConfigError
            If neither a window nor ``train_mask`` is given, or ``method``/``clip`` is invalid.
        DataError
            If ``X`` is not a frame or the window selects no rows.
        """
        self._check_params()
        X = _as_frame(X)
        rows = self._train_rows(X, train_mask)
        train = X.loc[rows].to_numpy(dtype=np.float64, copy=True)
        if train.shape[0] == 0:
            raise DataError(
                f"FeatureScaler.fit: the fit window [{self.fit_start}, {self.fit_end}] selects no "
                f"rows of the {len(X)}-row frame; widen it or check the timestamps"
            )
        train[~np.isfinite(train)] = np.nan
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.n_fit_rows_ = int(train.shape[0])
        times = _times(X)
        used = times[rows] if times is not None else None
        self.fit_start_ = used.min() if used is not None else None
        self.fit_end_ = used.max() if used is not None else None
        if self.method == "rank":
            self.quantiles_ = {
                c: np.sort(col[np.isfinite(col)]) for c, col in zip(X.columns, train.T)
            }
        else:
            self.center_, self.scale_ = self._location_scale(train, X.columns)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Scale ``X`` (any rows) with the fitted statistics; same index and columns.

        Raises
        ------
        NotFittedError
            If called before :meth:`fit`.
        DataError
            If the columns differ from those seen in ``fit``.
        """
        if not hasattr(self, "feature_names_in_"):
            raise NotFittedError("FeatureScaler is not fitted: call .fit(train_frame) first")
        X = _as_frame(X)
        if list(X.columns) != list(self.feature_names_in_):
            missing = sorted(set(self.feature_names_in_) - set(X.columns))
            extra = sorted(set(X.columns) - set(self.feature_names_in_))
            raise DataError(
                f"FeatureScaler.transform: columns differ from fit (missing {missing}, extra "
                f"{extra}); pass the same columns in the same order"
            )
        values = X.to_numpy(dtype=np.float64, copy=True)
        values[~np.isfinite(values)] = np.nan
        if self.method == "rank":
            out = (
                np.column_stack(
                    [_ecdf(self.quantiles_[c], col) for c, col in zip(X.columns, values.T)]
                )
                if values.shape[1]
                else values
            )
        else:
            out = (values - self.center_.to_numpy()) / self.scale_.to_numpy()
            if self.clip is not None:
                out = np.clip(out, -self.clip, self.clip)
        return pd.DataFrame(out, index=X.index, columns=X.columns)

    def fit_transform(
        self, X: pd.DataFrame, y: Any = None, *, train_mask: BoolArray | pd.Series | None = None
    ) -> pd.DataFrame:
        """Fit on the training rows, then transform *all* rows of ``X``."""
        return self.fit(X, y, train_mask=train_mask).transform(X)

    def _check_params(self) -> None:
        if self.method not in _METHODS:
            raise ConfigError(
                f"FeatureScaler: method={self.method!r} is unknown; use one of {list(_METHODS)}"
            )
        if self.clip is not None and not self.clip > 0:
            raise ConfigError(f"FeatureScaler: clip must be > 0 or None, got {self.clip!r}")

    def _train_rows(self, X: pd.DataFrame, mask: BoolArray | pd.Series | None) -> BoolArray:
        if mask is not None:
            if self.fit_start is not None or self.fit_end is not None:
                raise ConfigError(
                    "FeatureScaler: give either fit_start/fit_end or train_mask, not both"
                )
            m = np.asarray(mask, dtype=bool)
            if m.shape != (len(X),):
                raise DataError(
                    f"FeatureScaler.fit: train_mask has shape {m.shape}, expected ({len(X)},)"
                )
            return m
        if self.fit_start is None and self.fit_end is None:
            raise ConfigError(
                "FeatureScaler.fit needs an explicit fit window: set fit_start and/or fit_end "
                "(inclusive timestamps of the training rows) or pass train_mask=..."
            )
        times = _times(X)
        if times is None:
            raise DataError(
                "FeatureScaler.fit: fit_start/fit_end need a DatetimeIndex (or a "
                f"'{TIMESTAMP}' index level); pass train_mask for other indexes"
            )
        rows = np.ones(len(X), dtype=bool)
        if self.fit_start is not None:
            rows &= np.asarray(times >= _utc_like(self.fit_start, times))
        if self.fit_end is not None:
            rows &= np.asarray(times <= _utc_like(self.fit_end, times))
        return rows

    def _location_scale(self, train: np.ndarray, columns: pd.Index) -> tuple[pd.Series, pd.Series]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: handled below
            if self.method == "zscore":
                center, scale = np.nanmean(train, axis=0), np.nanstd(train, axis=0)
            else:
                q25, center, q75 = np.nanpercentile(train, [25.0, 50.0, 75.0], axis=0)
                scale = q75 - q25
        bad = ~(np.isfinite(scale) & (scale > 0))
        if bad.any():
            warnings.warn(
                f"FeatureScaler: columns {list(columns[bad])} are constant or empty in the fit "
                "window; their scale is set to 1.0",
                stacklevel=3,
            )
            scale = np.where(bad, 1.0, scale)
        return pd.Series(center, index=columns), pd.Series(scale, index=columns)


def _as_frame(X: Any) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame):
        raise DataError(
            f"FeatureScaler expects a pandas DataFrame of features, got {type(X).__name__}"
        )
    return X


def _times(X: pd.DataFrame) -> pd.DatetimeIndex | None:
    idx = X.index
    if isinstance(idx, pd.MultiIndex):
        if TIMESTAMP not in idx.names:
            return None
        idx = idx.get_level_values(TIMESTAMP)
    return idx if isinstance(idx, pd.DatetimeIndex) else None


def _utc_like(value: str | pd.Timestamp, times: pd.DatetimeIndex) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts if times.tz is not None else ts.tz_convert("UTC").tz_localize(None)


def _ecdf(sorted_train: np.ndarray, col: np.ndarray) -> np.ndarray:
    n = len(sorted_train)
    if n == 0:
        return np.full_like(col, np.nan)
    lo = np.searchsorted(sorted_train, col, side="left")
    hi = np.searchsorted(sorted_train, col, side="right")
    out = (lo + hi) / (2.0 * n)
    return np.where(np.isnan(col), np.nan, out)
