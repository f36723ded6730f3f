"""`tsig features`: builds the features lake, serially or on Ray, with --json output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from trading_signals.cli import app
from trading_signals.data.features_lake import read_features
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.features.ml import ML_FEATURE_NAMES
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli_features_lake")
    for sym, bars in generate_universe(3, 120, seed=41).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return root


def test_cli_features_serial_json_writes_partitions(lake: Path, tmp_path: Path) -> None:
    # Act
    res = runner.invoke(app, ["features", "--lake", str(lake), "--out", str(tmp_path),
                              "--symbols", "SYN0000,SYN0002", "--higher", "1w", "--json"])
    # Assert
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["engine"] == "serial" and doc["symbols"] == 2 and doc["rows"] == 240
    f = read_features(tmp_path, symbol="SYN0002", timeframe="1d")
    assert set(ML_FEATURE_NAMES) <= set(f.columns) and "momentum_5__1w" in f.columns
    assert not (tmp_path / "features" / "timeframe=1d" / "symbol=SYN0001").exists()


def test_cli_features_no_ml_and_table_output(lake: Path, tmp_path: Path) -> None:
    # Act
    res = runner.invoke(app, ["features", "--lake", str(lake), "--out", str(tmp_path), "-s", "SYN0001", "--no-ml"])
    # Assert
    assert res.exit_code == 0, res.output
    assert "features built" in res.stdout and "serial" in res.stdout
    cols = read_features(tmp_path, symbol="SYN0001", timeframe="1d").columns
    assert "rsi_14" in cols and "skewness" not in cols


def test_cli_features_config_file_sets_features(lake: Path, tmp_path: Path) -> None:
    # Arrange
    cfg = tmp_path / "run.yaml"
    cfg.write_text("features:\n  indicators: [{name: rsi, params: {timeperiod: 7}}]\n  ml_features: false\n")
    # Act
    res = runner.invoke(app, ["features", "--lake", str(lake), "--out", str(tmp_path / "o"),
                              "-s", "SYN0000", "--config", str(cfg), "--json"])
    # Assert
    assert res.exit_code == 0, res.output
    assert list(read_features(tmp_path / "o", symbol="SYN0000").columns) == ["rsi_7"]


def test_cli_features_empty_lake_exits_2_with_message(tmp_path: Path) -> None:
    # Act
    res = runner.invoke(app, ["features", "--lake", str(tmp_path / "none"), "--out", str(tmp_path)])
    # Assert
    assert res.exit_code == 2 and "no 1d bar partitions" in res.output


@pytest.mark.ray
def test_cli_features_ray_matches_serial(ray_local, lake: Path, tmp_path: Path) -> None:
    # Act
    a = runner.invoke(app, ["features", "--lake", str(lake), "--out", str(tmp_path / "r"), "--ray", "--json"])
    b = runner.invoke(app, ["features", "--lake", str(lake), "--out", str(tmp_path / "s"), "--json"])
    # Assert
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert json.loads(a.stdout)["engine"] == "ray"
    for sym in ("SYN0000", "SYN0001", "SYN0002"):
        pd.testing.assert_frame_equal(read_features(tmp_path / "r", symbol=sym), read_features(tmp_path / "s", symbol=sym))
