"""The signals table carries a manifest: another signals config into the same --out exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trading_signals.cli import app
from trading_signals.data.lake import write_bars
from trading_signals.data.signals_lake import read_signals
from trading_signals.data.synthetic import generate_universe
from trading_signals.data.table_manifest import MANIFEST_NAME

runner = CliRunner()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signals_manifest_lake")
    for sym, bars in generate_universe(3, 260, seed=5).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return root


def _signals(lake: Path, out: Path, *extra: str) -> tuple[int, str]:
    res = runner.invoke(app, ["signals", "--lake", str(lake), "--out", str(out), "--json", *extra])
    return res.exit_code, res.output


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_multi_timeframe_into_a_plain_signals_table_exits_2_nothing_written(
        lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _signals(lake, out, "--symbols", "SYN0000")
    assert code == 0, output
    before = _snapshot(out)
    # Act: other options (17 more consensus columns) into the same table
    code, output = _signals(lake, out, "--symbols", "SYN0000,SYN0001", "--multi-timeframe")
    # Assert
    assert code == 2, output
    assert "Traceback" not in output
    assert "signals/timeframe=1d" in output and "multi_timeframe" in output and "--replace" in output
    assert _snapshot(out) == before
    # --replace rewrites the table with the new options
    code, output = _signals(lake, out, "--symbols", "SYN0001", "--multi-timeframe", "--replace")
    assert code == 0, output
    man = json.loads((out / "signals" / "timeframe=1d" / MANIFEST_NAME).read_text())
    assert sorted(man["symbols"]) == ["SYN0001"]
    assert list(man["columns"]) == ["timestamp", *read_signals(out, symbol="SYN0001").columns]


def test_same_config_more_symbols_extends_the_manifest(lake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _signals(lake, out, "--symbols", "SYN0000")[0] == 0
    code, output = _signals(lake, out, "--symbols", "SYN0001,SYN0002")
    assert code == 0, output
    man = json.loads((out / "signals" / "timeframe=1d" / MANIFEST_NAME).read_text())
    assert sorted(man["symbols"]) == ["SYN0000", "SYN0001", "SYN0002"]
    assert man["columns"]["signal"] == "string" and man["columns"]["confluence_score"] == "double"
    assert all(len(e["data_fingerprint"]) == 16 for e in man["symbols"].values())


def test_sentiment_write_refuses_other_settings_before_scoring(lake: Path, tmp_path: Path) -> None:
    import shutil
    from importlib import resources

    own = tmp_path / "lake"
    shutil.copytree(lake, own)
    news = str(resources.files("trading_signals.resources") / "news_sample.jsonl")
    base = ["sentiment", "aggregate", news, "--lake", str(own), "--write", "--json"]
    res = runner.invoke(app, base)
    assert res.exit_code == 0, res.output
    table = own / "sentiment" / "timeframe=1d"
    before = _snapshot(table)
    man = json.loads((table / MANIFEST_NAME).read_text())
    assert man["columns"]["article_count"] == "int64" and any(
        k.startswith("news:") for k in man["symbols"]["SYN0000"]["inputs"])
    res = runner.invoke(app, [*base, "--half-life-hours", "6"])
    assert res.exit_code == 2 and "half_life_hours" in res.output and "--lake" in res.output, res.output
    assert _snapshot(table) == before
    res = runner.invoke(app, [*base, "--half-life-hours", "6", "--replace"])
    assert res.exit_code == 0, res.output
    assert json.loads((table / MANIFEST_NAME).read_text())["config"]["half_life_hours"] == 6.0
