"""compute_features composition, the roc_10 clash rule, and features_for_partition."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from trading_signals.config.features import FeaturesConfig
from trading_signals.data.features_lake import read_partition
from trading_signals.data.lake import read_bars, write_bars
from trading_signals.errors import ConfigError, DataError
from trading_signals.features.indicators import compute_indicators
from trading_signals.features.ml import ML_FEATURE_NAMES, compute_ml_features
from trading_signals.features.pipeline import (
    FeatureComputer,
    compute_features,
    features_for_partition,
)
from trading_signals.features.timeframes import align_to_base, resample_ohlcv


@pytest.fixture(scope="module")
def bars(synthetic_universe) -> pd.DataFrame:
    return synthetic_universe.bars["SYN0001"]


def test_compute_features_default_is_indicators_then_ml(bars: pd.DataFrame) -> None:
    # Arrange
    ind = compute_indicators(bars)
    # Act
    f = compute_features(bars)
    # Assert: every indicator column except the clashing roc_10, then the 17 ML columns
    expected = [c for c in ind.columns if c not in ML_FEATURE_NAMES] + list(ML_FEATURE_NAMES)
    assert list(f.columns) == expected and (f.dtypes == np.float64).all()
    pd.testing.assert_frame_equal(f[list(ML_FEATURE_NAMES)], compute_ml_features(bars), check_exact=True)
    # the dropped TA-Lib roc_10 (percent) is exactly 100x the kept ML roc_10 (fraction)
    np.testing.assert_allclose(ind["roc_10"], 100 * f["roc_10"], rtol=1e-9)


def test_compute_features_aliased_indicator_keeps_both(bars: pd.DataFrame) -> None:
    # Act
    f = compute_features(bars, spec=[{"name": "roc", "params": {"timeperiod": 10}, "alias": "roc_10_pct"}])
    # Assert
    assert list(f.columns) == ["roc_10_pct", *ML_FEATURE_NAMES]


def test_compute_features_higher_tf_block_equals_manual_composition(bars: pd.DataFrame) -> None:
    # Arrange
    weekly = resample_ohlcv(bars, "1w")
    manual = align_to_base(compute_ml_features(weekly), bars.index, higher_rule="1w", base_rule="1d")
    # Act
    f = compute_features(bars, spec=(), higher_timeframes=("1w",))
    # Assert
    pd.testing.assert_frame_equal(f[manual.columns], manual, check_exact=True)
    assert f.attrs == {"symbol": "SYN0001", "timeframe": "1d"}


def test_compute_features_higher_tf_without_base_timeframe_raises(bars: pd.DataFrame) -> None:
    # Arrange
    unknown = bars.copy()
    unknown.attrs = {}
    # Act / Assert
    with pytest.raises(ConfigError, match="timeframe"):
        compute_features(unknown, spec=(), higher_timeframes=("1w",))


def test_compute_features_finer_higher_tf_raises(bars: pd.DataFrame) -> None:
    # Act / Assert
    with pytest.raises(DataError, match="cannot resample"):
        compute_features(bars, spec=(), higher_timeframes=("4h",))


def test_features_for_partition_path_equals_frame(bars: pd.DataFrame, tmp_path: Path) -> None:
    # Arrange
    path = write_bars(tmp_path, bars, symbol="SYN0001", timeframe="1d")
    # Act
    from_path = features_for_partition(path, spec=(), higher_timeframes=("1w",))
    from_frame = features_for_partition(read_bars(tmp_path, symbol="SYN0001"), spec=(), higher_timeframes=("1w",))
    # Assert
    pd.testing.assert_frame_equal(from_path, from_frame, check_exact=True)
    attrs = read_partition(path).attrs
    assert attrs["symbol"] == "SYN0001" and attrs["timeframe"] == "1d"


def test_feature_computer_from_config_uses_section() -> None:
    # Arrange
    cfg = FeaturesConfig(indicators=({"name": "rsi", "params": {"timeperiod": 7}},), ml_features=False,
                         higher_timeframes=("1w",))
    # Act
    comp = FeatureComputer.from_config(cfg)
    # Assert
    assert comp.ml is False and comp.higher_timeframes == ("1w",)
    assert comp.spec is not None and comp.spec[0]["name"] == "rsi"


def test_read_features_panel_round_trips_written_frames(bars: pd.DataFrame, tmp_path: Path) -> None:
    from trading_signals.data.features_lake import read_features_panel, write_features

    # Arrange
    f = compute_features(bars, spec=())
    write_features(tmp_path, f, symbol="B", timeframe="1d")
    write_features(tmp_path, f * 2, symbol="A", timeframe="1d")
    # Act
    panel = read_features_panel(tmp_path, timeframe="1d", columns=["roc_5", "skewness"])
    # Assert
    assert list(panel) == ["A", "B"]
    pd.testing.assert_frame_equal(panel["B"], f[["roc_5", "skewness"]], check_freq=False)
    pd.testing.assert_frame_equal(panel["A"], (f * 2)[["roc_5", "skewness"]], check_freq=False)
