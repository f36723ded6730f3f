"""The Ray fan-out writes exactly the frames the serial core writes (both Ray engines)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from trading_signals.data.features_lake import build_features_serial, read_features
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import DataError
from trading_signals.features.pipeline import FeatureComputer

pytestmark = pytest.mark.ray
COMPUTE = FeatureComputer(spec=None, ml=True, higher_timeframes=("1w",))
BROKEN = FeatureComputer(spec=({"name": "no_such_indicator"},))


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fanout_lake")
    universe = generate_universe(6, 300, seed=31)
    for sym, bars in universe.bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return root


@pytest.fixture(scope="module")
def serial_out(lake: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("fanout_serial")
    return out, build_features_serial(lake, out, timeframe="1d", compute=COMPUTE)


@pytest.mark.parametrize("engine", ["tasks", "data"])
def test_build_features_ray_equals_serial_frames(ray_local, lake, serial_out, tmp_path, engine) -> None:
    from trading_signals.distributed.features import build_features_ray

    # Arrange
    out_serial, serial = serial_out
    seen: list[str] = []
    # Act
    fanned = build_features_ray(lake, tmp_path, timeframe="1d", compute=COMPUTE, engine=engine,
                                chunk_size=2, on_result=lambda r: seen.append(r["symbol"]))
    # Assert: identical files, content and summaries
    symbols = [p["symbol"] for p in serial.partitions]
    assert [p["symbol"] for p in fanned.partitions] == symbols and sorted(seen) == symbols
    assert fanned.rows == serial.rows == 6 * 300
    for sym in symbols:
        pd.testing.assert_frame_equal(
            read_features(tmp_path, symbol=sym, timeframe="1d"),
            read_features(out_serial, symbol=sym, timeframe="1d"),
            check_exact=True,
        )


def test_build_features_serial_round_trips_compute_features(lake, serial_out) -> None:
    from trading_signals.data.lake import read_bars

    # Arrange
    out_serial, _ = serial_out
    bars = read_bars(lake, symbol="SYN0003", timeframe="1d")
    # Act
    stored = read_features(out_serial, symbol="SYN0003", timeframe="1d")
    # Assert: the lake holds exactly what the pure core computes
    pd.testing.assert_frame_equal(stored, COMPUTE(bars), check_exact=True, check_freq=False)
    assert (out_serial / "features" / "timeframe=1d" / "symbol=SYN0003" / "part-0000.parquet").is_file()


def test_build_features_ray_symbol_subset_and_failure_names_symbol(ray_local, lake, tmp_path) -> None:
    from trading_signals.distributed.features import build_features_ray

    # Act
    subset = build_features_ray(lake, tmp_path, timeframe="1d", symbols=["SYN0001"], compute=COMPUTE)
    # Assert
    assert [p["symbol"] for p in subset.partitions] == ["SYN0001"]
    with pytest.raises(DataError, match="no 1w bar partitions"):
        build_features_ray(lake, tmp_path, timeframe="1w", compute=COMPUTE)
    with pytest.raises(Exception, match="symbol=SYN0002"):
        build_features_ray(lake, tmp_path, timeframe="1d", symbols=["SYN0002"], compute=BROKEN)


def test_jobs_features_main_builds_and_reports(ray_local, lake, tmp_path, capsys) -> None:
    import json

    from jobs.features import main

    # Act
    ok = main(["--lake", str(lake), "--out", str(tmp_path), "--symbols", "SYN0000,SYN0004"])
    bad = main(["--lake", str(tmp_path / "missing"), "--out", str(tmp_path)])
    # Assert
    out, err = capsys.readouterr()
    assert ok == 0 and bad == 2 and "no 1d bar partitions" in err
    doc = json.loads(out.strip().splitlines()[-1])
    assert doc["symbols"] == 2 and doc["rows"] == 600 and len(doc["config_id"]) == 12
    assert read_features(tmp_path, symbol="SYN0004").shape[0] == 300
