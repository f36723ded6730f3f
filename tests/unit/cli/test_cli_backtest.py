"""`tsig backtest` and `tsig sweep` end to end on a tiny synthetic lake."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from trading_signals.cli import app
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("lake")
    for sym, frame in generate_universe(2, 300, seed=4).bars.items():
        write_bars(root, frame, symbol=sym, timeframe="1d")
    return root


def test_cli_backtest_json_writes_run_directory(lake, tmp_path):
    # Act
    res = CliRunner().invoke(app, ["backtest", "--lake", str(lake), "--symbols", "SYN0000,SYN0001",
                                   "--fast", "5", "--slow", "20", "--out", str(tmp_path), "--json"])
    # Assert
    assert res.exit_code == 0, res.output
    summary = json.loads(res.output)
    folder = tmp_path / summary["config_id"] / "backtest"
    assert {p.name for p in folder.iterdir()} == {"equity.parquet", "trades.parquet",
                                                  "positions.parquet", "summary.json", "run.json"}
    equity = pd.read_parquet(folder / "equity.parquet")
    assert equity["equity"].iloc[-1] == pytest.approx(summary["metrics"]["final_equity"])
    assert json.loads((folder / "summary.json").read_text())["config_id"] == summary["config_id"]
    assert list(pd.read_parquet(folder / "positions.parquet").columns) == ["SYN0000", "SYN0001"]


def test_cli_backtest_run_id_depends_on_the_lake_and_reruns_verify(lake, tmp_path):
    # Arrange: a second lake with the same symbol names but other bars
    other = tmp_path / "other_lake"
    for sym, frame in generate_universe(2, 300, seed=5).bars.items():
        write_bars(other, frame, symbol=sym, timeframe="1d")
    args = ["backtest", "--symbols", "SYN0000,SYN0001", "--out", str(tmp_path / "runs"), "--json"]
    # Act
    first = CliRunner().invoke(app, [*args, "--lake", str(lake)])
    again = CliRunner().invoke(app, [*args, "--lake", str(lake)])
    moved = CliRunner().invoke(app, [*args, "--lake", str(other)])
    # Assert: same command + same data = same run (verified); other data = another run
    assert first.exit_code == again.exit_code == moved.exit_code == 0, first.output + moved.output
    ids = [json.loads(r.output)["config_id"] for r in (first, again, moved)]
    assert ids[0] == ids[1] != ids[2]
    assert ids[0].split("-")[0] == ids[2].split("-")[0]  # same config part, other data part
    assert len(list((tmp_path / "runs").iterdir())) == 2


def test_cli_backtest_refuses_to_overwrite_a_finished_run_with_other_results(lake, tmp_path):
    # Arrange: a finished run whose stored results were edited (as if produced differently)
    args = ["backtest", "--lake", str(lake), "--symbols", "SYN0000", "--out", str(tmp_path), "--json"]
    first = CliRunner().invoke(app, args)
    summary_path = tmp_path / json.loads(first.output)["config_id"] / "backtest" / "summary.json"
    doc = json.loads(summary_path.read_text())
    doc["metrics"]["final_equity"] = 1.0
    summary_path.write_text(json.dumps(doc))
    # Act
    res = CliRunner().invoke(app, args)
    # Assert
    assert res.exit_code == 2 and "differ" in res.output and "metrics" in res.output
    assert json.loads(summary_path.read_text())["metrics"]["final_equity"] == 1.0


def test_cli_backtest_unknown_strategy_exits_2(lake, tmp_path):
    res = CliRunner().invoke(app, ["backtest", "--lake", str(lake), "--strategy", "magic",
                                   "--out", str(tmp_path)])
    assert res.exit_code == 2


def test_cli_sweep_json_prints_top_pairs_sorted_by_sharpe(lake):
    res = CliRunner().invoke(app, ["sweep", "--lake", str(lake), "--symbol", "SYN0000",
                                   "--fast", "3:8", "--slow", "10:30:5", "--top", "3", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n_pairs"] == 5 * 4
    sharpes = [row["sharpe"] for row in out["top"]]
    assert len(sharpes) == 3 and sharpes == sorted(sharpes, reverse=True)
