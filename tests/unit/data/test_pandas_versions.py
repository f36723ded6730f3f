"""Results that must not depend on the pandas version (2.2+ or 3.x) or on a datetime unit.

pandas 3 builds ranges and parses strings at microseconds (pandas 2: nanoseconds), infers its
``str`` dtype for text (None becomes NaN) and compares indexes of different units as unequal
when their UTC tz objects differ. Each test below sets the unit explicitly, so it checks the
same thing under both versions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.data import lake
from trading_signals.data.schema import make_ohlcv
from trading_signals.data.signals_lake import read_signals, write_signals
from trading_signals.errors import DataError
from trading_signals.signals.engine import generate_signals


def _bars(unit: str, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    frame = make_ohlcv(pd.bdate_range("2021-01-04", periods=n, tz="UTC"), close, close * 1.01,
                       close * 0.99, close, np.full(n, 1e6), symbol="U", timeframe="1d")
    frame.index = frame.index.as_unit(unit)
    return frame


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_make_ohlcv_index_is_nanoseconds_whatever_the_input_unit(unit: str) -> None:
    idx = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], tz="UTC").as_unit(unit)
    frame = make_ohlcv(idx, [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [1.0, 1.0])
    assert str(frame.index.dtype) == "datetime64[ns, UTC]"
    assert list(frame.index) == list(idx)


def test_make_ohlcv_outside_nanosecond_range_is_a_clear_error() -> None:
    idx = pd.DatetimeIndex(np.array(["2300-01-01"], dtype="datetime64[s]")).tz_localize("UTC")
    with pytest.raises(DataError, match="outside the range .* 2262"):
        make_ohlcv(idx, [1.0], [1.0], [1.0], [1.0], [1.0])


@pytest.mark.parametrize("unit", ["us", "ms", "s"])
def test_rewriting_the_same_bars_in_another_unit_is_not_a_change(tmp_path, unit: str) -> None:
    bars = _bars(unit)
    lake.write_bars(tmp_path, bars, symbol="U", timeframe="1d", replace=False)
    # Stored at ns with Arrow's UTC zone: the same bars again must not count as different.
    assert lake.partition_differs(tmp_path, bars, symbol="U", timeframe="1d") is None
    lake.write_bars(tmp_path, bars, symbol="U", timeframe="1d", replace=False)
    moved = bars.copy()
    moved.index = moved.index + pd.Timedelta(1, "s")
    with pytest.raises(DataError, match="refusing to overwrite"):
        lake.write_bars(tmp_path, moved, symbol="U", timeframe="1d", replace=False)


def test_signal_labels_are_object_with_none_and_survive_the_signals_lake(tmp_path) -> None:
    sig = generate_signals(_bars("ns"))
    for col in ("signal", "explanation", "missing_components"):
        assert sig[col].dtype == object, col
    warm = sig["signal"].iloc[:5].tolist()
    assert warm == [None] * 5  # warm-up bars: None (not NaN, which is truthy and not JSON null)
    assert sig["signal"].notna().any()
    write_signals(tmp_path, sig, symbol="U", timeframe="1d")
    back = read_signals(tmp_path, symbol="U", timeframe="1d")
    assert back["signal"].dtype == object and back["signal"].iloc[:5].tolist() == [None] * 5
    pd.testing.assert_frame_equal(back, sig, check_freq=False)
