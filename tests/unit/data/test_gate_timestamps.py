"""Timestamp handling of the gate: offsets, naive values, epochs, dates, DST."""

from __future__ import annotations

import pandas as pd
import pytest
from trading_signals.config.data import GateConfig
from trading_signals.data.gate import run_gate
from trading_signals.data.gate_parse import parse_numbers, parse_timestamps


def _frame(stamps: list[object]) -> pd.DataFrame:
    n = len(stamps)
    return pd.DataFrame(
        {
            "time": stamps,
            "open": [10.0] * n,
            "high": [11.0] * n,
            "low": [9.0] * n,
            "close": [10.0] * n,
            "volume": [1.0] * n,
        }
    )


def _rules(result) -> set[str]:
    return {i.rule for i in result.report.issues}


def test_gate_mixed_offsets_converted_each_to_utc_with_warning():
    stamps = ["2024-03-08T09:00:00-05:00", "2024-03-11T10:00:00-04:00", "2024-03-11T15:00:00Z"]
    result = run_gate(_frame(stamps), source="t", symbol="A", timeframe="1h")
    expected = [pd.Timestamp(s).tz_convert("UTC") for s in stamps]
    assert list(result.clean["A"].index) == expected
    assert "mixed_offsets" in _rules(result)


def test_gate_naive_datetimes_assumed_in_configured_zone():
    cfg = GateConfig(naive_timezone="America/New_York")
    result = run_gate(
        _frame(["2024-07-01 09:30", "2024-07-01 10:30"]),
        source="t",
        symbol="A",
        timeframe="1h",
        config=cfg,
    )
    assert result.clean["A"].index[0] == pd.Timestamp("2024-07-01 13:30", tz="UTC")
    issue = next(i for i in result.report.issues if i.rule == "naive_assumed")
    assert issue.severity == "warning" and "America/New_York" in issue.message


def test_gate_reject_naive_quarantines_naive_rows_only():
    cfg = GateConfig(reject_naive=True)
    result = run_gate(
        _frame(["2024-07-01 09:30", "2024-07-01T10:30:00+00:00"]),
        source="t",
        symbol="A",
        timeframe="1h",
        config=cfg,
    )
    assert result.quarantined["row"].tolist() == [1]
    assert result.quarantined["rule"].tolist() == ["naive_timestamp"]


def test_gate_dst_nonexistent_local_time_quarantined():
    cfg = GateConfig(naive_timezone="America/New_York")
    result = run_gate(
        _frame(["2024-03-10 01:00", "2024-03-10 02:30"]),
        source="t",
        symbol="A",
        timeframe="1h",
        config=cfg,
    )
    assert result.quarantined["row"].tolist() == [2]
    assert "daylight" in result.quarantined["message"].iloc[0]


def test_gate_date_only_daily_labelled_midnight_utc_info_only():
    result = run_gate(
        _frame(["2024-01-02", "2024-01-03"]),
        source="t",
        symbol="A",
        config=GateConfig(naive_timezone="Asia/Tokyo"),
    )
    assert result.clean["A"].index[0] == pd.Timestamp("2024-01-02", tz="UTC")
    assert result.report.ok and "dates_as_utc" in _rules(result)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1704153600, "2024-01-02"),
        (1704153600000, "2024-01-02"),
        ("1704153600", "2024-01-02"),
        ("20240102", "2024-01-02"),
        ("2024-01-02T00:00:00+00:00", "2024-01-02"),
    ],
)
def test_parse_timestamps_supported_forms_give_same_instant(value, expected):
    series = pd.Series([value])
    res = parse_timestamps(
        series, timeframe="1d", naive_timezone="UTC", reject_naive=False, dayfirst=False
    )
    assert res.values[0] == pd.Timestamp(expected, tz="UTC") and not res.failures


@pytest.mark.parametrize("value", ["2024", "1.5", "12", "yesterday", "2024-13-01", 5])
def test_parse_timestamps_garbage_fails_without_guessing(value):
    res = parse_timestamps(
        pd.Series([value]), timeframe="1d", naive_timezone="UTC", reject_naive=False, dayfirst=False
    )
    assert res.values.isna().all() and res.failures[0][0] == "bad_timestamp"


def test_parse_timestamps_dayfirst_controls_loose_dates():
    kw = {"timeframe": "1d", "naive_timezone": "UTC", "reject_naive": False}
    month_first = parse_timestamps(pd.Series(["01/02/2024"]), dayfirst=False, **kw)
    day_first = parse_timestamps(pd.Series(["01/02/2024"]), dayfirst=True, **kw)
    assert month_first.values[0].month == 1 and day_first.values[0].month == 2
    assert month_first.notes[0][0] == "non_iso_timestamp"


def test_parse_timestamps_tz_aware_column_converted():
    s = pd.Series(pd.date_range("2024-01-02 09:30", periods=2, freq="h", tz="America/New_York"))
    res = parse_timestamps(
        s, timeframe="1h", naive_timezone="UTC", reject_naive=True, dayfirst=False
    )
    assert list(res.values) == list(s.dt.tz_convert("UTC")) and not res.failures


def test_parse_numbers_matches_float_for_valid_strings():
    strs = ["1", "-2.5", "1e3", " 7 ", "0.000001"]
    nums, codes = parse_numbers(pd.Series(strs))
    assert nums.tolist() == [float(s) for s in strs] and not codes.any()
