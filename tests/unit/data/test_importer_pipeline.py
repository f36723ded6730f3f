"""The import pipeline: lake partitions, quarantine Parquet, JSON reports, replace and merge."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from trading_signals.data.files import load_files
from trading_signals.data.importer import import_raw
from trading_signals.data.lake import read_bars
from trading_signals.data.raw import RawInput
from trading_signals.errors import DataError

FILES = Path(__file__).parent / "files"


def _input(frame: pd.DataFrame, symbol: str = "ABC", source: str = "mem") -> RawInput:
    return RawInput(source=source, symbol=symbol, frame=frame.reset_index())


def test_import_raw_files_rows_all_accounted_and_written(tmp_path):
    report = import_raw(load_files([FILES]), lake=tmp_path)
    assert report.rows_in == report.rows_clean + report.rows_quarantined
    lake_rows = sum(p["rows"] for p in report.partitions)
    quarantine_rows = sum(len(pd.read_parquet(q)) for q in report.quarantine_files)
    assert (lake_rows, quarantine_rows) == (report.rows_clean, report.rows_quarantined)


def test_import_raw_lake_bars_equal_input_values(tmp_path, synthetic_ohlcv):
    import_raw([_input(synthetic_ohlcv, "SYN")], lake=tmp_path)
    back = read_bars(tmp_path, symbol="SYN")
    pd.testing.assert_frame_equal(back, synthetic_ohlcv, check_freq=False, check_like=True)


def test_import_raw_quarantine_file_holds_raw_rows_and_reasons(tmp_path):
    report = import_raw(load_files([FILES / "malformed.csv"]), lake=tmp_path)
    (qpath,) = report.quarantine_files
    assert Path(qpath).parent.parent == tmp_path / "quarantine"
    q = pd.read_parquet(qpath)
    assert list(q.columns[:5]) == ["source", "row", "rule", "column", "message"]
    raw = pd.read_csv(
        FILES / "malformed.csv", dtype=str, keep_default_na=False, on_bad_lines="skip"
    )
    row6 = q[q["row"] == 6].iloc[0]
    assert row6["Open"] == "abc" and row6["rule"] == "bad_number" and raw.loc[5, "Open"] == "abc"


def test_import_raw_writes_json_report_matching_result(tmp_path):
    report = import_raw(load_files([FILES / "good.csv"]), lake=tmp_path)
    saved = json.loads(Path(report.report_path).read_text())
    assert saved["rows_clean"] == report.rows_clean == 6
    assert saved["inputs"][0]["source"].endswith("good.csv")
    assert Path(report.report_path).parent == tmp_path / "reports"


def test_import_raw_merge_unions_and_quarantines_conflicts(tmp_path, tiny_ohlcv):
    import_raw([_input(tiny_ohlcv.iloc[:5], "T")], lake=tmp_path)
    second = tiny_ohlcv.iloc[3:].copy()
    second.iloc[1, second.columns.get_loc("volume")] = 999.0  # differs from the lake at bar 4
    report = import_raw([_input(second, "T")], lake=tmp_path, mode="merge")
    back = read_bars(tmp_path, symbol="T")
    assert len(back) == len(tiny_ohlcv)
    assert back["volume"].iloc[4] == tiny_ohlcv["volume"].iloc[4]  # the lake bar was kept
    rep = report.inputs[0]
    assert (rep.rows_in, rep.rows_clean, rep.rows_quarantined) == (5, 4, 1)
    assert {i.rule for i in rep.issues} >= {"lake_duplicate", "lake_conflict"}
    q = pd.read_parquet(report.quarantine_files[0])
    assert q["rule"].tolist() == ["lake_conflict"] and q["row"].tolist() == [2]


def test_import_raw_replace_overwrites_partition(tmp_path, tiny_ohlcv):
    import_raw([_input(tiny_ohlcv, "T")], lake=tmp_path)
    import_raw([_input(tiny_ohlcv.iloc[:3], "T")], lake=tmp_path, mode="replace")
    assert len(read_bars(tmp_path, symbol="T")) == 3


def test_import_raw_two_inputs_same_symbol_union_first_wins(tmp_path, tiny_ohlcv):
    a, b = tiny_ohlcv.iloc[:4], tiny_ohlcv.iloc[2:] * 1.0
    b.iloc[0, b.columns.get_loc("close")] += 0.25  # conflicts with a's bar 3
    report = import_raw([_input(a, "T", "a.csv"), _input(b, "T", "b.csv")], lake=tmp_path)
    back = read_bars(tmp_path, symbol="T")
    assert len(back) == len(tiny_ohlcv) and back["close"].iloc[2] == tiny_ohlcv["close"].iloc[2]
    assert report.rows_quarantined == 1 and report.inputs[1].rows_quarantined == 1


def test_import_raw_all_rows_rejected_leaves_lake_untouched(tmp_path, tiny_ohlcv):
    import_raw([_input(tiny_ohlcv, "T")], lake=tmp_path)
    bad = tiny_ohlcv.assign(volume=-1.0)
    report = import_raw([_input(bad, "T")], lake=tmp_path)
    assert report.partitions == [] and report.rows_quarantined == len(tiny_ohlcv)
    assert np.array_equal(read_bars(tmp_path, symbol="T")["volume"], tiny_ohlcv["volume"])


def test_import_raw_unknown_mode_raises(tmp_path):
    with pytest.raises(DataError, match="mode"):
        import_raw([], lake=tmp_path, mode="append")  # type: ignore[arg-type]


def test_import_raw_timeframe_override_applies(tmp_path):
    frame = pd.DataFrame(
        {
            "time": ["2024-01-02T10:00Z", "2024-01-02T11:00Z"],
            "open": [1, 1],
            "high": [2, 2],
            "low": [1, 1],
            "close": [1.5, 1.5],
            "volume": [1, 1],
        }
    )
    report = import_raw([RawInput("h", "H", frame)], lake=tmp_path, timeframe="1h")
    assert report.partitions[0]["timeframe"] == "1h"
    assert len(read_bars(tmp_path, symbol="H", timeframe="1h")) == 2
