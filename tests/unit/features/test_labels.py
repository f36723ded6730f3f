"""Forward-return labels: aligned at t, NaN at the end, never part of the feature frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.errors import ConfigError
from trading_signals.features.labels import LABEL_PREFIX, label_name, make_labels
from trading_signals.features.pipeline import compute_features


@pytest.mark.parametrize("horizon", [1, 3, 5])
def test_make_labels_return_equals_naive_loop(synthetic_ohlcv: pd.DataFrame, horizon: int) -> None:
    # Arrange
    bars = synthetic_ohlcv.iloc[:100]
    c = bars["close"].to_numpy()
    expected = [c[t + horizon] / c[t] - 1.0 if t + horizon < len(c) else np.nan for t in range(len(c))]
    # Act
    y = make_labels(bars, horizon=horizon)
    # Assert
    assert y.name == f"fwd_return_{horizon}" and y.index.equals(bars.index)
    np.testing.assert_allclose(y.to_numpy(), expected, rtol=1e-12, equal_nan=True)
    assert y.iloc[-horizon:].isna().all() and y.iloc[:-horizon].notna().all()


def test_make_labels_tiny_hand_checked(tiny_ohlcv: pd.DataFrame) -> None:
    # Act
    ret = make_labels(tiny_ohlcv, horizon=1)
    logr = make_labels(tiny_ohlcv, horizon=1, kind="log_return")
    dirn = make_labels(tiny_ohlcv, horizon=1, kind="direction")
    # Assert: closes 10, 11, 12, 11, ...
    assert ret.iloc[0] == pytest.approx(0.1) and ret.iloc[2] == pytest.approx(11 / 12 - 1)
    assert logr.iloc[0] == pytest.approx(np.log(1.1))
    assert dirn.iloc[:3].tolist() == [1.0, 1.0, 0.0] and np.isnan(dirn.iloc[-1])


def test_make_labels_open_price_uses_open_column(tiny_ohlcv: pd.DataFrame) -> None:
    # Act
    y = make_labels(tiny_ohlcv, horizon=2, price="open")
    # Assert: opens 10, 10, 11
    assert y.iloc[0] == pytest.approx(11 / 10 - 1)


def test_make_labels_several_horizons_returns_frame(tiny_ohlcv: pd.DataFrame) -> None:
    # Act
    y = make_labels(tiny_ohlcv, horizon=[1, 2], kind="log_return")
    # Assert
    assert list(y.columns) == [label_name(horizon=1, kind="log_return"), "fwd_log_return_2"]
    pd.testing.assert_series_equal(y["fwd_log_return_2"], make_labels(tiny_ohlcv, horizon=2, kind="log_return"))


@pytest.mark.parametrize(
    "kwargs", [{"horizon": 0}, {"horizon": -1}, {"kind": "sharpe"}, {"price": "volume"}, {"horizon": []}]
)
def test_make_labels_bad_arguments_raise_config_error(tiny_ohlcv: pd.DataFrame, kwargs: dict) -> None:
    # Act / Assert
    with pytest.raises(ConfigError):
        make_labels(tiny_ohlcv, **kwargs)


def test_make_labels_are_not_in_feature_frame(synthetic_ohlcv: pd.DataFrame) -> None:
    # Act
    f = compute_features(synthetic_ohlcv.iloc[:80], spec=(), ml=True)
    # Assert: features never carry forward labels
    assert not [c for c in f.columns if c.startswith(LABEL_PREFIX)]
