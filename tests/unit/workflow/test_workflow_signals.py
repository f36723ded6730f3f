"""The signals stage reads the features table instead of recomputing indicators; same output."""

from __future__ import annotations

import pandas as pd
import pytest
from trading_signals.config.features import FeaturesConfig
from trading_signals.config.signals import SignalsConfig
from trading_signals.data.lake import write_bars
from trading_signals.data.signals_lake import read_signals
from trading_signals.workflow.features import build_features
from trading_signals.workflow.signals import INDICATOR_INPUTS, build_signals

SYMBOLS = ["SYN0000", "SYN0001"]


@pytest.fixture(scope="module")
def lake(tmp_path_factory, synthetic_universe) -> str:
    root = tmp_path_factory.mktemp("sig_lake")
    for sym in SYMBOLS:
        write_bars(root, synthetic_universe.bars[sym].iloc[:300], symbol=sym, timeframe="1d")
    return str(root)


def test_signals_from_the_features_table_equal_recomputed_ones(lake, tmp_path, monkeypatch) -> None:
    import trading_signals.signals.engine as engine

    # Arrange: the features stage writes the default table
    build_features(FeaturesConfig(), lake=lake, out=str(tmp_path / "feat"))
    fresh = build_signals(SignalsConfig(), lake=lake, out=str(tmp_path / "a"), symbols=SYMBOLS)

    def no_recompute(*args, **kwargs):
        raise AssertionError("indicators recomputed although the features table has them")

    monkeypatch.setattr(engine, "compute_indicators", no_recompute)
    # Act
    read = build_signals(SignalsConfig(), lake=lake, out=str(tmp_path / "b"), symbols=SYMBOLS,
                         features=str(tmp_path / "feat"))
    # Assert: bit-identical signals, and the summaries say where the indicators came from
    assert [r["indicators"] for r in read] == ["features table"] * 2
    assert [r["indicators"] for r in fresh] == ["computed"] * 2
    assert len(INDICATOR_INPUTS) == 18
    for sym in SYMBOLS:
        pd.testing.assert_frame_equal(read_signals(tmp_path / "a", symbol=sym),
                                      read_signals(tmp_path / "b", symbol=sym), check_exact=True)


def test_a_table_without_the_component_columns_is_not_used(lake, tmp_path) -> None:
    build_features(FeaturesConfig(indicators=({"name": "rsi", "params": {"timeperiod": 7}},),
                                  ml_features=False), lake=lake, out=str(tmp_path / "feat"))
    rows = build_signals(SignalsConfig(), lake=lake, out=str(tmp_path / "o"), symbols=SYMBOLS,
                         features=str(tmp_path / "feat"))
    assert [r["indicators"] for r in rows] == ["computed"] * 2
