"""Output tables carry a manifest and refuse a mismatched append (issue 11).

`tsig features --out X` twice with different options used to mix two schemas in one
directory; now the second run exits 2 before writing anything and names the difference.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trading_signals.cli import app
from trading_signals.data import storage
from trading_signals.data.features_lake import read_features
from trading_signals.data.fingerprint import lake_fingerprint
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.data.table_manifest import MANIFEST_NAME

runner = CliRunner()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("manifest_lake")
    for sym, bars in generate_universe(3, 120, seed=7).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return root


def _yaml(tmp_path: Path, name: str, period: int) -> Path:
    path = tmp_path / name
    path.write_text(f"features:\n  indicators: [{{name: rsi, params: {{timeperiod: {period}}}}}]\n"
                    "  ml_features: false\n")
    return path


def _features(lake: Path, out: Path, *extra: str) -> tuple[int, str]:
    res = runner.invoke(app, ["features", "--lake", str(lake), "--out", str(out), "--json", *extra])
    return res.exit_code, res.output


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_second_build_with_other_indicators_exits_2_and_leaves_first_table_intact(
        lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _features(lake, out, "-s", "SYN0000", "--config", str(_yaml(tmp_path, "a.yaml", 14)))
    assert code == 0, output
    before = _snapshot(out)
    # Act: same --out, other indicator options
    code, output = _features(lake, out, "-s", "SYN0000,SYN0001",
                             "--config", str(_yaml(tmp_path, "b.yaml", 21)))
    # Assert: usage error, the message names directory, difference and fixes; nothing written
    assert code == 2, output
    assert "Traceback" not in output
    assert "timeframe=1d" in output and "+rsi_21 -rsi_14" in output
    assert "config differs in indicators" in output and "--replace" in output and "--out" in output
    assert _snapshot(out) == before
    assert list(read_features(out, symbol="SYN0000").columns) == ["rsi_14"]


def test_replace_overwrites_the_table_with_the_new_options(lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _features(lake, out, "-s", "SYN0000,SYN0001",
                     "--config", str(_yaml(tmp_path, "a.yaml", 14)))[0] == 0
    code, output = _features(lake, out, "-s", "SYN0002", "--replace",
                             "--config", str(_yaml(tmp_path, "b.yaml", 21)))
    assert code == 0, output
    man = json.loads((out / "features" / "timeframe=1d" / MANIFEST_NAME).read_text())
    # The old table is gone, not mixed: only the symbol of this build remains.
    assert sorted(man["symbols"]) == ["SYN0002"]
    assert sorted(p.name for p in (out / "features" / "timeframe=1d").glob("symbol=*")) == \
        ["symbol=SYN0002"]
    assert list(man["columns"]) == ["timestamp", "rsi_21"]


def test_same_options_more_symbols_appends_and_updates_the_manifest(lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cfg = str(_yaml(tmp_path, "a.yaml", 14))
    assert _features(lake, out, "-s", "SYN0000", "--config", cfg)[0] == 0
    first = (out / "features" / "timeframe=1d" / "symbol=SYN0000" / "part-0000.parquet").read_bytes()
    # Act
    code, output = _features(lake, out, "-s", "SYN0001,SYN0002", "--config", cfg)
    # Assert
    assert code == 0, output
    man = json.loads((out / "features" / "timeframe=1d" / MANIFEST_NAME).read_text())
    assert sorted(man["symbols"]) == ["SYN0000", "SYN0001", "SYN0002"]
    assert man["columns"] == {"timestamp": "timestamp[ns, tz=UTC]", "rsi_14": "double"}
    # The table fingerprint is the run-id fingerprint of every input partition it was built from.
    assert man["data_fingerprint"] == lake_fingerprint(str(lake), timeframe="1d")
    assert json.loads(output)["data_fingerprint"] == man["data_fingerprint"]
    assert (out / "features" / "timeframe=1d" / "symbol=SYN0000" / "part-0000.parquet").read_bytes() == first


def test_changed_bars_same_options_replace_that_symbol_and_its_fingerprint(tmp_path: Path) -> None:
    lake, out = tmp_path / "lake", tmp_path / "out"
    bars = generate_universe(2, 80, seed=1).bars
    for sym, frame in bars.items():
        write_bars(lake, frame, symbol=sym, timeframe="1d")
    assert _features(lake, out, "--no-ml")[0] == 0
    man_dir = out / "features" / "timeframe=1d"
    old = json.loads((man_dir / MANIFEST_NAME).read_text())
    changed = bars["SYN0000"].copy()
    changed["close"] = changed["close"] * 1.01
    changed["high"] = changed[["high", "close"]].max(axis=1)
    write_bars(lake, changed, symbol="SYN0000", timeframe="1d")
    # Act
    code, output = _features(lake, out, "--no-ml", "-s", "SYN0000")
    # Assert
    assert code == 0, output
    new = json.loads((man_dir / MANIFEST_NAME).read_text())
    assert new["symbols"]["SYN0000"]["data_fingerprint"] != old["symbols"]["SYN0000"]["data_fingerprint"]
    assert new["symbols"]["SYN0001"] == old["symbols"]["SYN0001"]
    assert new["data_fingerprint"] == lake_fingerprint(str(lake), timeframe="1d")


def test_partitions_without_manifest_are_refused_unless_replace(lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _features(lake, out, "-s", "SYN0000", "--no-ml")[0] == 0
    (out / "features" / "timeframe=1d" / MANIFEST_NAME).unlink()  # as an older version left it
    code, output = _features(lake, out, "-s", "SYN0001", "--no-ml")
    assert code == 2 and MANIFEST_NAME in output and "--replace" in output, output
    assert not (out / "features" / "timeframe=1d" / "symbol=SYN0001").exists()
    code, output = _features(lake, out, "-s", "SYN0001", "--no-ml", "--replace")
    assert code == 0, output
    assert sorted(p.name for p in (out / "features" / "timeframe=1d").glob("symbol=*")) == \
        ["symbol=SYN0001"]


def test_other_timeframes_are_separate_tables(tmp_path: Path) -> None:
    lake, out = tmp_path / "lake", tmp_path / "out"
    for tf, n in (("1d", 60), ("1h", 200)):
        for sym, frame in generate_universe(1, n, seed=2, timeframe=tf).bars.items():
            write_bars(lake, frame, symbol=sym, timeframe=tf)
    assert _features(lake, out, "--no-ml")[0] == 0
    code, output = _features(lake, out, "-t", "1h")
    assert code == 0, output
    assert storage.is_file(str(out / "features" / "timeframe=1h" / MANIFEST_NAME))
    assert "rsi_14" in read_features(out, symbol="SYN0000", timeframe="1d").columns


def test_spelled_out_defaults_are_the_same_table(lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    implicit, explicit = tmp_path / "i.yaml", tmp_path / "e.yaml"
    implicit.write_text("features:\n  indicators: [{name: rsi}]\n  ml_features: false\n")
    explicit.write_text("features:\n  indicators: [{name: rsi, params: {timeperiod: 14}}]\n"
                        "  ml_features: false\n")
    assert _features(lake, out, "-s", "SYN0000", "--config", str(implicit))[0] == 0
    code, output = _features(lake, out, "-s", "SYN0001", "--config", str(explicit))
    assert code == 0, output
