"""Labels and thresholds: validation, boundaries, monotonicity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.config import validate_mapping
from trading_signals.config.signals import SignalsConfig, SignalThresholds
from trading_signals.errors import ConfigError
from trading_signals.signals.labels import LABEL_TO_INT, LABELS, SignalLabel, label_scores


def test_thresholds_not_increasing_raise_config_error() -> None:
    with pytest.raises(ConfigError, match="strictly increasing"):
        validate_mapping(SignalThresholds, {"sell": 0.65, "buy": 0.6}, source="t.yaml")


def test_thresholds_outside_unit_interval_raise_config_error() -> None:
    with pytest.raises(ConfigError, match="strong_buy"):
        validate_mapping(SignalThresholds, {"strong_buy": 1.2}, source="t.yaml")


def test_signals_config_empty_mapping_is_valid_with_default_weights() -> None:
    cfg = validate_mapping(SignalsConfig, {}, source="t.yaml")
    assert sum(cfg.weights.values()) > 0 and cfg.thresholds.sell < cfg.thresholds.buy


def test_signals_config_unknown_component_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="weights"):
        validate_mapping(SignalsConfig, {"weights": {"astrology": 1.0}}, source="t.yaml")


def test_label_scores_boundaries_follow_documented_rule() -> None:
    th = SignalThresholds(strong_sell=0.2, sell=0.4, buy=0.6, strong_buy=0.8)
    s = pd.Series([0.0, 0.2, 0.2001, 0.4, 0.45, 0.5999, 0.6, 0.7999, 0.8, 1.0, np.nan])
    got = label_scores(s, thresholds=th).tolist()
    assert got == ["STRONG_SELL", "STRONG_SELL", "SELL", "SELL", "HOLD", "HOLD", "BUY", "BUY",
                   "STRONG_BUY", "STRONG_BUY", None]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30))
def test_label_scores_monotone_in_score(values: list[float]) -> None:
    s = pd.Series(sorted(values))
    ranks = [LABEL_TO_INT[v] for v in label_scores(s, thresholds=SignalThresholds())]
    assert ranks == sorted(ranks)


def test_signal_label_enum_covers_labels_in_order() -> None:
    assert tuple(m.value for m in SignalLabel) == LABELS
    assert [m.direction for m in SignalLabel] == [-1, -1, 0, 1, 1]
