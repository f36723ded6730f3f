"""Run directories and atomic writers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trading_signals.data.runs import run_dir, write_frame_atomic, write_json_atomic
from trading_signals.errors import DataError


def test_run_dir_creates_nested_stage_and_rejects_unsafe_ids(tmp_path):
    assert run_dir(tmp_path, "abc123", "backtest") == tmp_path / "abc123" / "backtest"
    assert (tmp_path / "abc123" / "backtest").is_dir()
    with pytest.raises(DataError):
        run_dir(tmp_path, "../escape")


def test_write_json_atomic_turns_nan_into_null_and_leaves_no_temp(tmp_path):
    path = write_json_atomic({"a": np.float64("nan"), "b": [1, np.int64(2)], "c": float("inf")},
                             tmp_path / "s.json")
    assert json.loads(path.read_text()) == {"a": None, "b": [1, 2], "c": None}
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_write_frame_atomic_roundtrips_index(tmp_path):
    idx = pd.date_range("2024-01-01", periods=3, tz="UTC", name="timestamp")
    frame = pd.DataFrame({"equity": [1.0, 2.0, 3.0]}, index=idx)
    back = pd.read_parquet(write_frame_atomic(frame, tmp_path / "e.parquet"))
    pd.testing.assert_frame_equal(back, frame, check_freq=False)
