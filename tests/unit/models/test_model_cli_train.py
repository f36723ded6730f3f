"""``tsig train`` / ``evaluate`` / ``models ls`` on a small synthetic config (no Ray)."""

from __future__ import annotations

import json

import yaml
from trading_signals.cli import app
from typer.testing import CliRunner


def test_cli_train_evaluate_ls_roundtrip_same_metrics(tmp_path) -> None:
    cfg = {
        "name": "clitest",
        "data": {"source": "synthetic", "synthetic": {"n_symbols": 6, "n_bars": 160, "seed": 2, "planted_ic": 0.3}},
        "features": {"indicators": []},
        "models": {"name": "lightgbm", "params": {"n_estimators": 30, "min_child_samples": 20},
                   "test_bars": 30, "registry": str(tmp_path / "reg")},
    }
    path = tmp_path / "train.yaml"
    path.write_text(yaml.safe_dump(cfg))
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "--config", str(path), "--json"])
    assert trained.exit_code == 0, trained.output
    out = json.loads(trained.output)
    assert out["model_id"] == "clitest-lightgbm/v0001" and out["n_test_rows"] == 6 * 30
    assert out["train_window"][1] < out["test_window"][0]
    evaluated = runner.invoke(app, ["evaluate", out["model_id"], "--registry", str(tmp_path / "reg"), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    ev = json.loads(evaluated.output)["metrics"]
    for key in ("ic", "rank_ic", "icir", "directional_accuracy", "bt_sharpe"):
        assert ev[key] == out["metrics"][key]
    listed = runner.invoke(app, ["models", "ls", "--registry", str(tmp_path / "reg"), "--json"])
    assert [m["model_id"] for m in json.loads(listed.output)] == [out["model_id"]]


def test_cli_evaluate_unknown_model_exits_2(tmp_path) -> None:
    result = CliRunner().invoke(app, ["evaluate", "nope/v0001", "--registry", str(tmp_path)])
    assert result.exit_code == 2 and "no model" in result.output
