"""Run ids (config + data), run manifests, and output locations under `ray job submit`."""

from __future__ import annotations

import json
import os
import time

import pytest
from trading_signals.config.risk import MonteCarloConfig
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import ConfigError, DataError
from trading_signals.workflow.executor import SerialExecutor, item_label
from trading_signals.workflow.locations import resolve_output
from trading_signals.workflow.runs import finish_run, lake_fingerprint, open_run, run_id


def _lake(root, seed: int) -> str:
    for sym, bars in generate_universe(2, 50, seed=seed).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return str(root)


def test_lake_fingerprint_follows_content_not_modification_time(tmp_path) -> None:
    # Arrange
    a = _lake(tmp_path / "a", seed=1)
    before = lake_fingerprint(a, timeframe="1d")
    # Act: rewrite identical bars (new mtime), then different bars
    time.sleep(0.01)
    _lake(tmp_path / "a", seed=1)
    same = lake_fingerprint(a, timeframe="1d")
    other = lake_fingerprint(_lake(tmp_path / "b", seed=2), timeframe="1d")
    # Assert
    assert before == same != other
    assert lake_fingerprint(a, timeframe="1d", symbols=["SYN0000"]) != before


def test_run_id_combines_the_section_and_the_data() -> None:
    cfg = MonteCarloConfig()
    assert run_id(cfg, "aa" * 8) != run_id(cfg, "bb" * 8)
    assert run_id(cfg, "aa" * 8) != run_id(MonteCarloConfig(seed=1), "aa" * 8)
    with pytest.raises(ConfigError):
        run_id(cfg, "not-hex")


def test_open_run_refuses_a_directory_of_another_run(tmp_path) -> None:
    # Arrange
    d = open_run(str(tmp_path), "abc-1", {"kind": "x", "data_fingerprint": "1"})
    # Act / Assert: the same run reopens; another manifest is refused
    assert open_run(str(tmp_path), "abc-1", {"kind": "x", "data_fingerprint": "1"}) == d
    with pytest.raises(ConfigError, match="data_fingerprint"):
        open_run(str(tmp_path), "abc-1", {"kind": "x", "data_fingerprint": "2"})
    with pytest.raises(DataError):
        open_run(str(tmp_path), "../evil", {})


def test_finish_run_verifies_instead_of_overwriting(tmp_path) -> None:
    finish_run(str(tmp_path), {"metrics": {"sharpe": 1.0, "x": float("nan")}, "seconds": 3})
    # Same results (timings may differ): fine. Other results: refused, file untouched.
    finish_run(str(tmp_path), {"metrics": {"sharpe": 1.0, "x": float("nan")}, "seconds": 9})
    with pytest.raises(DataError, match="metrics"):
        finish_run(str(tmp_path), {"metrics": {"sharpe": 2.0, "x": None}, "seconds": 3})
    assert json.loads((tmp_path / "summary.json").read_text())["metrics"]["sharpe"] == 1.0


def test_relative_outputs_under_a_ray_job_need_a_storage_root(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TSIG_STORAGE", raising=False)
    monkeypatch.delenv("RAY_JOB_ID", raising=False)
    monkeypatch.delenv("RAY_JOB_CONFIG_JSON_ENV_VAR", raising=False)
    # Outside a job: unchanged.
    assert resolve_output("runs", what="study.runs") == "runs"
    monkeypatch.setenv("RAY_JOB_CONFIG_JSON_ENV_VAR", "{}")
    # Under a job: absolute paths and URIs unchanged, relative ones need a root.
    assert resolve_output(str(tmp_path), what="data.lake") == str(tmp_path)
    assert resolve_output("s3://b/lake", what="data.lake") == "s3://b/lake"
    with pytest.raises(ConfigError, match="TSIG_STORAGE") as info:
        resolve_output("runs", what="study.runs")
    assert "study.runs" in str(info.value) and "study.storage" in str(info.value)
    assert resolve_output("runs", what="study.runs", configured_root="s3://b/tsig") == "s3://b/tsig/runs"
    monkeypatch.setenv("TSIG_STORAGE", str(tmp_path))
    assert resolve_output("runs", what="study.runs", configured_root="s3://b/x") == os.path.join(str(tmp_path), "runs")
    monkeypatch.setenv("TSIG_STORAGE", "relative/root")
    with pytest.raises(ConfigError, match="absolute"):
        resolve_output("runs", what="study.runs")


def test_working_dir_copy_counts_as_a_job(tmp_path, monkeypatch) -> None:
    for k in ("TSIG_STORAGE", "RAY_JOB_ID", "RAY_JOB_CONFIG_JSON_ENV_VAR"):
        monkeypatch.delenv(k, raising=False)
    pkg = tmp_path / "working_dir_files" / "_ray_pkg_0123"
    pkg.mkdir(parents=True)
    monkeypatch.chdir(pkg)
    with pytest.raises(ConfigError, match="working_dir"):
        resolve_output("lake", what="data.lake")


def test_serial_executor_keeps_order_reports_progress_and_names_the_item() -> None:
    seen: list[tuple[int, int]] = []
    assert SerialExecutor().map(lambda x: x * 2, [3, 1, 2], progress=lambda d, t: seen.append((d, t))) == [6, 2, 4]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(ZeroDivisionError) as info:
        SerialExecutor().map(lambda x: 1 / x, [1, 0], name="features")
    assert any("features" in n and "0" in n for n in info.value.__notes__)
    assert item_label("/l/ohlcv/timeframe=1d/symbol=AAPL/part-0000.parquet") == "AAPL"
