"""Each rule of the data-quality gate, on small hand-checkable frames."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from trading_signals.config.data import GateConfig
from trading_signals.data.gate import run_gate
from trading_signals.data.gate_report import RULES
from trading_signals.data.schema import validate_ohlcv


def _raw(n: int = 5, start: str = "2024-01-01") -> pd.DataFrame:
    """n clean business-day bars as strings, like a CSV read."""
    idx = pd.bdate_range(start, periods=n)
    close = 100.0 + np.arange(n)
    return pd.DataFrame(
        {
            "Date": [d.strftime("%Y-%m-%d") for d in idx],
            "Open": [f"{c - 0.5}" for c in close],
            "High": [f"{c + 1}" for c in close],
            "Low": [f"{c - 1}" for c in close],
            "Close": [f"{c}" for c in close],
            "Volume": ["1000"] * n,
        }
    )


def _rules_at(result, row: int) -> set[str]:
    q = result.quarantined
    return set(";".join(q.loc[q["row"] == row, "rule"]).split(";")) - {""}


def test_gate_clean_input_all_rows_clean_and_canonical():
    result = run_gate(_raw(), source="t.csv", symbol="ABC")
    assert result.report.rows_clean == 5 and result.report.rows_quarantined == 0
    assert result.report.ok
    frame = validate_ohlcv(result.clean["ABC"])
    assert frame["close"].tolist() == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert frame.attrs["symbol"] == "ABC" and frame.attrs["source"] == "t.csv"


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("Open", "abc", "bad_number"),
        ("Close", "", "missing_value"),
        ("Volume", "NaN", "missing_value"),
        ("High", "inf", "non_finite"),
        ("Low", "-1", "non_positive_price"),
        ("Open", "0", "non_positive_price"),
        ("Volume", "-3", "negative_volume"),
        ("High", "100.1", "high_below_open_close"),
        ("Low", "103.5", "low_above_open_close"),
        ("Date", "2024-02-30", "bad_timestamp"),
        ("Date", "", "missing_value"),
    ],
)
def test_gate_bad_value_row_quarantined_with_rule(column, value, rule):
    raw = _raw()
    raw.loc[2, column] = value
    result = run_gate(raw, source="t.csv", symbol="ABC")
    assert result.report.rows_quarantined == 1
    assert rule in _rules_at(result, 3)
    assert list(result.quarantined[column]) == [value]  # the raw value, untouched
    issue = next(i for i in result.report.issues if i.rule == rule)
    assert (
        issue.row == 3
        and issue.severity == "error"
        and "t.csv" in issue.message
        and "row 3" in issue.message
    )


def test_gate_high_below_close_message_names_values():
    raw = _raw()
    raw.loc[0, "High"] = "99.9"  # close 100
    issue = next(
        i
        for i in run_gate(raw, source="f.csv", symbol="A").report.issues
        if i.rule == "high_below_open_close"
    )
    assert (
        "99.9" in issue.message
        and "max(open, close)=100" in issue.message
        and issue.column == "high"
    )


def test_gate_duplicate_timestamps_quarantines_every_copy():
    raw = _raw(4)
    raw.loc[3, "Date"] = raw.loc[1, "Date"]
    result = run_gate(raw, source="t.csv", symbol="ABC")
    assert sorted(result.quarantined["row"]) == [2, 4]
    assert all("duplicate_timestamp" in r for r in result.quarantined["rule"])
    assert "rows 2, 4" in result.quarantined["message"].iloc[0]
    assert len(result.clean["ABC"]) == 2


def test_gate_duplicates_match_naive_loop_reference():
    rng = np.random.default_rng(3)
    raw = _raw(30)
    raw["Date"] = rng.choice(raw["Date"].to_numpy(), size=30)
    result = run_gate(raw, source="t", symbol="A")
    counts = raw["Date"].value_counts()
    expected = {i + 1 for i, d in enumerate(raw["Date"]) if counts[d] > 1}
    assert set(result.quarantined["row"]) == expected


def test_gate_unsorted_input_sorted_with_warning_rows_kept():
    raw = _raw(5).iloc[[0, 3, 1, 2, 4]].reset_index(drop=True)
    result = run_gate(raw, source="t", symbol="A")
    assert result.report.rows_clean == 5
    assert result.clean["A"].index.is_monotonic_increasing
    issue = next(i for i in result.report.issues if i.rule == "unsorted")
    assert issue.severity == "warning" and issue.row == 3
    assert result.clean_rows["A"].tolist() == [1, 3, 4, 2, 5]


def test_gate_jump_above_threshold_flagged_not_removed():
    raw = _raw(4)
    raw.loc[2, ["Open", "High", "Low", "Close"]] = ["150", "151", "149", "150"]
    result = run_gate(raw, source="t", symbol="A", config=GateConfig(jump_threshold=0.2))
    jumps = [i for i in result.report.issues if i.rule == "suspicious_jump"]
    ret = result.clean["A"]["close"].pct_change().abs()
    assert [i.row for i in jumps] == [k + 1 for k in np.flatnonzero(ret.to_numpy() > 0.2)]
    assert result.report.rows_clean == 4


def test_gate_business_gaps_match_bdate_range_reference():
    dates = pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-09", "2024-01-10", "2024-01-22"])
    raw = _raw(5)
    raw["Date"] = [d.strftime("%Y-%m-%d") for d in dates]
    gaps = [
        i for i in run_gate(raw, source="t", symbol="A").report.issues if i.rule == "calendar_gap"
    ]
    expected = [len(pd.bdate_range(a, b)) - 2 for a, b in itertools.pairwise(dates)]
    assert [g.count for g in gaps] == [e for e in expected if e > 0]
    assert all(g.severity == "info" for g in gaps)


def test_gate_calendar_none_reports_no_gaps():
    raw = _raw(3)
    raw.loc[2, "Date"] = "2024-03-01"
    result = run_gate(raw, source="t", symbol="A", config=GateConfig(calendar="none"))
    assert not [i for i in result.report.issues if i.rule == "calendar_gap"]


def test_gate_missing_column_quarantines_every_row_as_file_error():
    result = run_gate(_raw(4).drop(columns=["Volume"]), source="t.csv", symbol="A")
    assert result.report.rows_quarantined == 4 and result.clean == {}
    (issue,) = [i for i in result.report.issues if i.rule == "missing_column"]
    assert issue.row == 1 and issue.row_end == 4 and "volume" in issue.message


def test_gate_ambiguous_columns_reported():
    raw = _raw(2)
    raw["close"] = raw["Close"]
    result = run_gate(raw, source="t", symbol="A")
    assert result.report.rows_quarantined == 2
    assert any(i.rule == "ambiguous_column" for i in result.report.issues)


@pytest.mark.parametrize("bad", ["../evil", "a/b", "", "x y", ".hidden"])
def test_gate_unsafe_symbol_argument_rejects_all_rows(bad):
    result = run_gate(_raw(3), source="t", symbol=bad)
    assert result.report.rows_quarantined == 3 and result.clean == {}
    assert {i.rule for i in result.report.issues} & {"unsafe_symbol", "missing_symbol"}


def test_gate_symbol_column_splits_and_rejects_traversal():
    raw = pd.concat(
        [_raw(3).assign(Ticker="AAA"), _raw(3).assign(Ticker="BBB"), _raw(1).assign(Ticker="../x")]
    )
    result = run_gate(raw.reset_index(drop=True), source="t", symbol=None)
    assert sorted(result.clean) == ["AAA", "BBB"]
    assert result.quarantined["rule"].tolist() == ["unsafe_symbol"]


def test_gate_no_symbol_anywhere_rejects_all():
    result = run_gate(_raw(2), source="t")
    assert result.report.rows_quarantined == 2
    assert result.report.issues[-1].rule == "missing_symbol"


def test_gate_empty_frame_reports_empty_file():
    result = run_gate(pd.DataFrame(), source="e.csv", symbol="A")
    assert result.report.rows_in == 0 and not result.report.ok
    assert [i.rule for i in result.report.issues] == ["empty_file"]


def test_gate_adj_close_column_ignored_with_info():
    raw = _raw(2).assign(**{"Adj Close": ["1", "2"]})
    result = run_gate(raw, source="t", symbol="A")
    assert result.report.ok and result.clean["A"]["close"].tolist() == [100.0, 101.0]
    assert any(
        i.rule == "ignored_column" and "Adj Close" in i.message for i in result.report.issues
    )


def test_gate_daily_timeframe_with_intraday_rows_warns_mismatch():
    raw = _raw(3)
    raw["Date"] = ["2024-01-02T10:00:00Z", "2024-01-02T11:00:00Z", "2024-01-02T12:00:00Z"]
    result = run_gate(raw, source="t", symbol="A", timeframe="1d")
    assert any(i.rule == "timeframe_mismatch" for i in result.report.issues)
    assert not any(
        i.rule == "timeframe_mismatch"
        for i in run_gate(raw, source="t", symbol="A", timeframe="1h").report.issues
    )


def test_gate_issue_cap_summarises_the_rest():
    raw = _raw(30)
    raw["Volume"] = "-1"
    result = run_gate(raw, source="t", symbol="A", config=GateConfig(max_issues_per_rule=5))
    vol = [i for i in result.report.issues if i.rule == "negative_volume"]
    assert len(vol) == 6 and vol[-1].count == 25 and (vol[-1].row, vol[-1].row_end) == (6, 30)
    assert result.report.rule_counts()["negative_volume"] == 30


def test_gate_datetime_index_input_is_promoted(tiny_ohlcv):
    result = run_gate(tiny_ohlcv, source="frame", symbol="TINY")
    assert result.report.rows_clean == len(tiny_ohlcv)
    pd.testing.assert_frame_equal(result.clean["TINY"], tiny_ohlcv, check_freq=False)


def test_gate_report_to_dict_is_consistent():
    d = run_gate(_raw(3), source="t", symbol="A").report.to_dict()
    assert d["rows_in"] == d["rows_clean"] + d["rows_quarantined"]
    assert all(i["rule"] in RULES for i in d["issues"])


def test_gate_unknown_timeframe_raises():
    with pytest.raises(ValueError, match="timeframe"):
        run_gate(_raw(2), source="t", symbol="A", timeframe="7d")


def test_gate_multiindex_panel_keeps_symbol_and_time(synthetic_universe):
    panel = pd.concat(synthetic_universe.bars, names=["symbol"]).iloc[:50]  # (symbol, timestamp)
    result = run_gate(panel, source="panel")
    assert result.report.rows_clean == 50
    sym = panel.index.get_level_values(0)[0]
    expected = panel.xs(sym, level="symbol")
    pd.testing.assert_frame_equal(result.clean[sym], expected, check_freq=False)


def test_gate_index_name_clash_keeps_both():
    raw = _raw(3)
    raw.index = pd.Index(["a", "b", "c"], name="Date")
    result = run_gate(raw, source="t", symbol="A")
    assert result.report.rows_clean == 3
    assert any("Date__index0" in i.message for i in result.report.issues if i.rule == "ignored_column")


@pytest.mark.parametrize(
    ("timeframe", "calendar", "stamps", "expected"),
    [
        ("1h", "daily", ["2024-01-02T00:00Z", "2024-01-02T01:00Z", "2024-01-02T05:00Z"], [3]),
        ("1h", "business", ["2024-01-02T20:00Z", "2024-01-03T14:00Z", "2024-01-03T16:00Z"], [1]),
        ("1w", "business", ["2024-01-05", "2024-01-12", "2024-02-02"], [2]),
        ("1mo", "business", ["2024-01-31", "2024-02-29", "2024-06-30"], [3]),
        ("1d", "daily", ["2024-01-05", "2024-01-08"], [2]),
    ],
)
def test_gate_gap_counts_per_timeframe(timeframe, calendar, stamps, expected):
    raw = _raw(len(stamps))
    raw["Date"] = stamps
    cfg = GateConfig(calendar=calendar)
    result = run_gate(raw, source="t", symbol="A", timeframe=timeframe, config=cfg)
    assert [i.count for i in result.report.issues if i.rule == "calendar_gap"] == expected
