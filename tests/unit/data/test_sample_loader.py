"""The packaged sample (arch.data S&P 500 / NASDAQ) loads raw, complete and gate-ready."""

from __future__ import annotations

import arch.data.nasdaq
import arch.data.sp500
import numpy as np
import pandas as pd
import pytest
from trading_signals.data.raw import RawInput
from trading_signals.data.sample import load_sample, sample_symbols
from trading_signals.errors import DataError

REFERENCE = {"SP500": arch.data.sp500.load, "NASDAQ": arch.data.nasdaq.load}


@pytest.fixture(scope="module")
def sample() -> list[RawInput]:
    return load_sample()


def test_load_sample_default_both_indices_labelled(sample: list[RawInput]) -> None:
    assert [r.symbol for r in sample] == ["SP500", "NASDAQ"] == sample_symbols()
    assert [r.source for r in sample] == ["sample:arch.data.sp500", "sample:arch.data.nasdaq"]
    assert all(r.timeframe == "1d" for r in sample)


@pytest.mark.parametrize("symbol", ["SP500", "NASDAQ"])
def test_load_sample_values_equal_arch_every_row_kept(sample: list[RawInput], symbol: str) -> None:
    # Arrange
    ref = REFERENCE[symbol]()
    frame = next(r.frame for r in sample if r.symbol == symbol)
    # Assert: nothing dropped, values identical, dates -> 00:00 UTC of the trading date
    assert len(frame) == len(ref)
    assert list(frame.columns) == ["timestamp", "open", "high", "low", "close", "volume"]
    for ours, theirs in [
        ("open", "Open"),
        ("high", "High"),
        ("low", "Low"),
        ("close", "Close"),
        ("volume", "Volume"),
    ]:
        np.testing.assert_array_equal(frame[ours].to_numpy(), ref[theirs].to_numpy(dtype=float))
    stamps = pd.DatetimeIndex(frame["timestamp"])
    assert str(stamps.tz) == "UTC"
    assert (stamps == stamps.normalize()).all()
    np.testing.assert_array_equal(stamps.tz_localize(None).date, pd.DatetimeIndex(ref.index).date)


def test_load_sample_adj_close_requested_kept() -> None:
    (raw,) = load_sample(["sp500"], adj_close=True)
    ref = arch.data.sp500.load()
    assert raw.symbol == "SP500"
    np.testing.assert_array_equal(raw.frame["adj_close"].to_numpy(), ref["Adj Close"].to_numpy())


def test_load_sample_unknown_symbol_raises_naming_choices() -> None:
    with pytest.raises(DataError, match=r"'AAPL'.*SP500"):
        load_sample(["AAPL"])


def test_load_sample_through_gate_all_rows_accounted(sample: list[RawInput]) -> None:
    gate = pytest.importorskip("trading_signals.data.gate")
    for raw in sample:
        result = gate.run_gate(
            raw.frame, source=raw.source, symbol=raw.symbol, timeframe=raw.timeframe
        )
        report = result.report
        assert report.rows_in == len(raw.frame)
        assert report.rows_in == report.rows_clean + report.rows_quarantined
        clean = result.clean[raw.symbol]
        # These indices have valid OHLC on every row, so the gate keeps all of them.
        assert report.rows_clean == len(raw.frame)
        np.testing.assert_array_equal(clean["close"].to_numpy(), raw.frame["close"].to_numpy())
