"""`tsig walkforward --config` over many symbols and `tsig montecarlo` on its output, via the stages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from trading_signals.cli import app
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe

runner = CliRunner()


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("risk_cli") / "lake"
    for sym, bars in generate_universe(3, 500, seed=12).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return root


def test_walkforward_config_many_symbols_then_montecarlo_of_its_returns(lake, tmp_path) -> None:
    # Arrange
    cfg = tmp_path / "run.yaml"
    cfg.write_text("backtest: {commission_bps: 2.0}\n"
                   "risk:\n  walkforward: {strategy: sma_cross, train: 200, test: 100, purge: 2,"
                   " fast: [5, 10], slow: [30]}\n")
    out = tmp_path / "runs"
    # Act
    wf = runner.invoke(app, ["walkforward", "--config", str(cfg), "--lake", str(lake), "--symbols",
                             "SYN0000,SYN0002", "--serial", "--out", str(out), "--json"])
    # Assert
    assert wf.exit_code == 0, wf.output
    doc = json.loads(wf.stdout)
    assert doc["strategy"] == "sma_cross" and sorted(doc["symbols"]) == ["SYN0000", "SYN0002"]
    assert all(len(s["windows"]) == 3 for s in doc["symbols"].values())
    assert {w["fast"] for s in doc["symbols"].values() for w in s["windows"]} <= {5, 10}
    returns = out / doc["run_id"] / "walkforward" / "SYN0002" / "returns.parquet"
    mc = runner.invoke(app, ["montecarlo", "--returns", str(returns), "--paths", "500", "--horizon", "20",
                             "--serial", "--out", str(out), "--json"])
    assert mc.exit_code == 0, mc.output
    summary = json.loads(mc.stdout)
    assert summary["summary"]["n_paths"] == 500 and summary["run_dir"].startswith(str(out))
    # Same command again: same run ids, verified (not overwritten with something else)
    again = runner.invoke(app, ["walkforward", "--config", str(cfg), "--lake", str(lake), "--symbols",
                                "SYN0000,SYN0002", "--serial", "--out", str(out), "--json"])
    assert json.loads(again.stdout)["run_id"] == doc["run_id"]


def test_walkforward_bad_config_exits_2_naming_the_key(lake, tmp_path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("risk:\n  walkforward: {train: -5, test: 0}\n")
    res = runner.invoke(app, ["walkforward", "--config", str(cfg), "--lake", str(lake), "--serial"])
    assert res.exit_code == 2 and "risk.walkforward.train" in " ".join(res.output.split())
