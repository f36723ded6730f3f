"""FeatureScaler: statistics come from the fit window only; transform works on any rows."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.preprocessing import RobustScaler, StandardScaler
from trading_signals.errors import ConfigError, DataError, NotFittedError
from trading_signals.features.normalize import FeatureScaler

N_ROWS, N_TRAIN = 60, 40


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    idx = pd.date_range("2024-01-01", periods=N_ROWS, freq="D", tz="UTC", name="timestamp")
    return pd.DataFrame(
        {"a": rng.normal(5, 2, N_ROWS), "b": rng.standard_t(3, N_ROWS), "c": rng.uniform(0, 1, N_ROWS)},
        index=idx,
    )


def _fit_end(frame: pd.DataFrame) -> pd.Timestamp:
    return frame.index[N_TRAIN - 1]


@pytest.mark.parametrize(
    ("method", "reference"), [("zscore", StandardScaler()), ("robust", RobustScaler())]
)
def test_feature_scaler_matches_sklearn_fit_on_train_rows(frame, method, reference) -> None:
    # Arrange
    train = frame.iloc[:N_TRAIN]
    # Act
    ours = FeatureScaler(method, fit_end=_fit_end(frame)).fit(frame).transform(frame)
    ref = reference.fit(train.to_numpy()).transform(frame.to_numpy())
    # Assert
    np.testing.assert_allclose(ours.to_numpy(), ref, rtol=1e-10)
    assert ours.index.equals(frame.index) and list(ours.columns) == list(frame.columns)


def test_feature_scaler_rank_is_training_ecdf(frame) -> None:
    # Arrange
    train = frame["a"].iloc[:N_TRAIN].to_numpy()
    # Act
    out = FeatureScaler("rank", fit_end=_fit_end(frame)).fit(frame).transform(frame)["a"]
    # Assert: mid-rank empirical CDF, computed naively
    expected = [((train < x).sum() + (train <= x).sum()) / (2 * len(train)) for x in frame["a"]]
    np.testing.assert_allclose(out.to_numpy(), expected)
    assert out.between(0, 1).all()


@settings(max_examples=25, deadline=None)
@given(
    method=st.sampled_from(["zscore", "robust", "rank"]),
    seed=st.integers(0, 2**16),
    scale=st.floats(-1e3, 1e3, allow_nan=False),
)
def test_feature_scaler_changing_test_rows_never_changes_fit(method: str, seed: int, scale: float) -> None:
    # Arrange: same training rows, arbitrarily different test rows
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2024-01-01", periods=N_ROWS, freq="D", tz="UTC", name="timestamp")
    a = pd.DataFrame(rng.normal(size=(N_ROWS, 3)), index=idx, columns=list("xyz"))
    b = a.copy()
    b.iloc[N_TRAIN:] = rng.normal(size=(N_ROWS - N_TRAIN, 3)) * scale
    end = idx[N_TRAIN - 1]
    # Act
    sa = FeatureScaler(method, fit_end=end).fit(a)
    sb = FeatureScaler(method, fit_end=end).fit(b)
    # Assert: identical fitted statistics and identical transforms of training rows
    pd.testing.assert_frame_equal(sa.transform(a).iloc[:N_TRAIN], sb.transform(b).iloc[:N_TRAIN])
    assert sa.n_fit_rows_ == N_TRAIN and sa.fit_end_ == end


def test_feature_scaler_train_mask_equals_window(frame) -> None:
    # Arrange
    mask = np.arange(N_ROWS) < N_TRAIN
    # Act
    by_mask = FeatureScaler("robust").fit_transform(frame, train_mask=mask)
    by_window = FeatureScaler("robust", fit_end=_fit_end(frame)).fit_transform(frame)
    # Assert
    pd.testing.assert_frame_equal(by_mask, by_window)


def test_feature_scaler_fit_start_and_multiindex_window(frame) -> None:
    # Arrange: a long panel indexed by (timestamp, symbol)
    panel = pd.concat({"A": frame, "B": frame * 2}, names=["symbol"]).swaplevel().sort_index()
    start, end = frame.index[10], frame.index[29]
    rows = (frame.index >= start) & (frame.index <= end)
    # Act
    s = FeatureScaler("zscore", fit_start=start, fit_end=end).fit(panel)
    # Assert: pooled statistics over both symbols' window rows only
    pooled = pd.concat([frame[rows], frame[rows] * 2])
    np.testing.assert_allclose(s.center_.to_numpy(), pooled.mean().to_numpy())
    np.testing.assert_allclose(s.scale_.to_numpy(), pooled.std(ddof=0).to_numpy())
    assert s.n_fit_rows_ == 40


def test_feature_scaler_clip_bounds_output(frame) -> None:
    # Arrange
    frame.iloc[-1, 0] = 1e6
    # Act
    out = FeatureScaler("zscore", fit_end=_fit_end(frame), clip=3.0).fit_transform(frame)
    # Assert
    assert out.abs().max().max() <= 3.0 and out.iloc[-1, 0] == 3.0


def test_feature_scaler_nan_stays_nan_and_is_ignored_by_fit(frame) -> None:
    # Arrange
    frame.iloc[0, 0] = np.nan
    # Act
    s = FeatureScaler("zscore", fit_end=_fit_end(frame)).fit(frame)
    out = s.transform(frame)
    # Assert
    assert np.isnan(out.iloc[0, 0])
    assert s.center_["a"] == pytest.approx(frame["a"].iloc[1:N_TRAIN].mean())


def test_feature_scaler_constant_column_warns_and_maps_to_zero(frame) -> None:
    # Arrange
    frame["c"] = 7.0
    # Act
    with pytest.warns(UserWarning, match="constant"):
        out = FeatureScaler("zscore", fit_end=_fit_end(frame)).fit_transform(frame)
    # Assert
    assert (out["c"] == 0.0).all()


def test_feature_scaler_without_window_raises_config_error(frame) -> None:
    # Act / Assert
    with pytest.raises(ConfigError, match="fit window"):
        FeatureScaler().fit(frame)


def test_feature_scaler_transform_before_fit_raises_not_fitted(frame) -> None:
    # Act / Assert
    with pytest.raises(NotFittedError):
        FeatureScaler(fit_end="2024-01-10").transform(frame)


@pytest.mark.parametrize(
    "make",
    [
        lambda f: FeatureScaler("minmax", fit_end=f.index[5]).fit(f),
        lambda f: FeatureScaler(fit_end=f.index[5], clip=0).fit(f),
        lambda f: FeatureScaler(fit_end=f.index[5]).fit(f, train_mask=np.ones(len(f), bool)),
    ],
)
def test_feature_scaler_bad_params_raise_config_error(frame, make) -> None:
    # Act / Assert
    with pytest.raises(ConfigError):
        make(frame)


def test_feature_scaler_empty_window_or_other_columns_raise_data_error(frame) -> None:
    # Act / Assert
    with pytest.raises(DataError, match="no rows"):
        FeatureScaler(fit_end="2000-01-01").fit(frame)
    s = FeatureScaler(fit_end=_fit_end(frame)).fit(frame)
    with pytest.raises(DataError, match="missing"):
        s.transform(frame.drop(columns=["b"]))


def test_feature_scaler_is_sklearn_clonable_and_for_infer(frame) -> None:
    # Act
    s = clone(FeatureScaler("robust", fit_end=_fit_end(frame), clip=5.0))
    # Assert
    assert s.get_params() == {"method": "robust", "fit_start": None, "fit_end": _fit_end(frame), "clip": 5.0}
    assert FeatureScaler.is_for_infer is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.fit(frame)
