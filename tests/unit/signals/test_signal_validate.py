"""validate_signals catches out-of-range scores, bad labels and signals before warm-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.config.signals import SignalsConfig, SignalThresholds
from trading_signals.errors import DataError, LookAheadError
from trading_signals.signals.engine import compute_components, generate_signals, indicator_frame
from trading_signals.signals.fusion import fuse
from trading_signals.signals.validate import validate_signals

REQUIRED = ("trend", "momentum", "volatility", "volume")


@pytest.fixture(scope="module")
def signals(synthetic_universe) -> pd.DataFrame:
    return generate_signals(synthetic_universe.bars["SYN0000"].iloc[:300])


def test_validate_signals_engine_output_passes(signals: pd.DataFrame) -> None:
    assert validate_signals(signals, required=REQUIRED, thresholds=SignalThresholds()) is signals


def test_validate_signals_score_out_of_range_raises_naming_row(signals: pd.DataFrame) -> None:
    bad = signals.copy()
    bad.iloc[120, bad.columns.get_loc("confluence_score")] = 1.3
    with pytest.raises(DataError, match=r"confluence_score = 1.3 at row 120"):
        validate_signals(bad)


def test_validate_signals_unknown_label_raises_data_error(signals: pd.DataFrame) -> None:
    bad = signals.copy()
    bad.iloc[150, bad.columns.get_loc("signal")] = "MOON"
    with pytest.raises(DataError, match="'MOON' at row 150"):
        validate_signals(bad)


def test_validate_signals_label_contradicting_thresholds_raises(signals: pd.DataFrame) -> None:
    bad = signals.copy()
    i = int(np.flatnonzero(bad["signal"].eq("HOLD").to_numpy())[0])
    bad.iloc[i, bad.columns.get_loc("signal")] = "STRONG_BUY"
    with pytest.raises(DataError, match="contradicts"):
        validate_signals(bad, thresholds=SignalThresholds())


def test_validate_signals_tampered_contribution_raises(signals: pd.DataFrame) -> None:
    bad = signals.copy()
    bad.iloc[200, bad.columns.get_loc("contrib_trend")] += 0.05
    with pytest.raises(DataError, match="row 200"):
        validate_signals(bad)


def test_validate_signals_signal_during_warmup_raises_lookahead(synthetic_universe) -> None:
    bars = synthetic_universe.bars["SYN0001"].iloc[:200]
    frame = indicator_frame(bars)
    comps = compute_components(frame, config=SignalsConfig())
    # Without the warm-up policy, fuse emits signals as soon as any component is present.
    eager = fuse(comps, weights=SignalsConfig().weights, thresholds=SignalThresholds())
    first_ready = int(np.flatnonzero(comps[list(REQUIRED)].notna().all(axis=1).to_numpy())[0])
    assert eager["signal"].iloc[:first_ready].notna().any()
    with pytest.raises(LookAheadError, match="before the warm-up"):
        validate_signals(eager, required=REQUIRED)
    with pytest.raises(LookAheadError, match="input"):
        validate_signals(eager.drop(columns=[f"score_{c}" for c in REQUIRED]),
                         required=REQUIRED, inputs=frame)
