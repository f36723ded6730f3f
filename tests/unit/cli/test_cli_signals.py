"""`tsig signals` and `tsig signals explain` through the Typer runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trading_signals.cli import app
from trading_signals.data.lake import write_bars
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory, synthetic_universe) -> Path:
    root = tmp_path_factory.mktemp("cli_signals")
    for sym in ("SYN0000", "SYN0001"):
        write_bars(root / "lake", synthetic_universe.bars[sym].iloc[:250], symbol=sym,
                   timeframe="1d")
    result = runner.invoke(app, ["signals", "--lake", str(root / "lake"), "--out",
                                 str(root / "out"), "--symbols", "SYN0000,SYN0001", "--json"])
    assert result.exit_code == 0, result.output
    (root / "build.json").write_text(result.stdout)
    return root


def test_cli_signals_json_lists_latest_signal_per_symbol(built: Path) -> None:
    payload = json.loads((built / "build.json").read_text())
    assert [p["symbol"] for p in payload] == ["SYN0000", "SYN0001"]
    for p in payload:
        assert p["explanation"].startswith(f"{p['signal']} ")
        assert Path(p["path"]).is_file()


def test_cli_signals_table_output_shows_explanations(built: Path) -> None:
    result = runner.invoke(app, ["signals", "--lake", str(built / "lake"), "--out",
                                 str(built / "out2"), "--symbols", "SYN0001"])
    assert result.exit_code == 0, result.output
    assert "SYN0001" in result.stdout and "weights renormalised" in result.stdout


def test_cli_signals_explain_at_date_returns_that_bar(built: Path) -> None:
    result = runner.invoke(app, ["signals", "explain", "--out", str(built / "out"), "--symbol",
                                 "SYN0000", "--at", "2010-08-02", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["timestamp"].startswith("2010-08-02")
    total = sum(v for v in payload["contributions"].values() if v is not None)
    assert total == pytest.approx(payload["confluence_score"] - 0.5)


def test_cli_signals_explain_before_warmup_exits_2_with_message(built: Path) -> None:
    result = runner.invoke(app, ["signals", "explain", "--out", str(built / "out"), "--symbol",
                                 "SYN0000", "--at", "2010-01-05"])
    assert result.exit_code == 2
    assert "warm-up" in result.output


def test_cli_signals_unknown_symbol_exits_2(built: Path) -> None:
    result = runner.invoke(app, ["signals", "--lake", str(built / "lake"), "--out",
                                 str(built / "out3"), "--symbols", "NOPE"])
    assert result.exit_code == 2
    assert "NOPE" in result.output


def test_cli_signals_config_weights_are_used(built: Path) -> None:
    cfg = built / "run.yaml"
    cfg.write_text("signals:\n  weights: {trend: 1.0}\n  required_components: [trend]\n")
    result = runner.invoke(app, ["signals", "--lake", str(built / "lake"), "--out",
                                 str(built / "out4"), "--symbols", "SYN0000", "--config",
                                 str(cfg), "--json"])
    assert result.exit_code == 0, result.output
    (payload,) = json.loads(result.stdout)
    assert payload["explanation"].split(": ", 1)[1].startswith("trend ")
    assert "momentum" not in payload["explanation"]


def test_cli_signals_bad_config_exits_2_naming_key(built: Path) -> None:
    cfg = built / "bad.yaml"
    cfg.write_text("signals:\n  thresholds: {sell: 0.7, buy: 0.6}\n")
    result = runner.invoke(app, ["signals", "--lake", str(built / "lake"), "--out",
                                 str(built / "out5"), "--config", str(cfg)])
    assert result.exit_code == 2
    assert "signals.thresholds" in result.output
