"""``tsig predict``: point-in-time predictions of registered models for lake symbols (no Ray)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from trading_signals.cli import app
from trading_signals.models.registry import ModelRegistry
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def lake_and_model(tmp_path_factory, lake_with_model):
    return lake_with_model(tmp_path_factory.mktemp("predict"), 5, 300, seed=8, name="cli")


def test_predict_writes_one_partition_per_symbol_and_a_summary(lake_and_model) -> None:
    root, mid = lake_and_model
    res = CliRunner().invoke(app, ["predict", mid, "--lake", str(root / "lake"), "--symbols",
                                   "SYN0001,SYN0003", "--registry", str(root / "reg"),
                                   "--out", str(root / "out"), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert [r["symbol"] for r in payload["symbols"]] == ["SYN0001", "SYN0003"]
    cutoff = pd.Timestamp(ModelRegistry(root / "reg").manifest(mid)["extra"]["cutoff"])
    for row in payload["symbols"]:
        frame = pd.read_parquet(row["path"])
        assert list(frame.columns) == ["prediction", "score", "model_id"]
        assert frame.loc[frame.index < cutoff, "prediction"].isna().all()
        assert frame.loc[frame.index >= cutoff, "prediction"].notna().all()
        assert row["scored"] == int(frame["prediction"].notna().sum()) == 150
        assert pd.Timestamp(row["first_scored"]) == cutoff
    summary = json.loads(open(payload["summary"]).read())
    assert summary["model_id"] == mid and len(summary["symbols"]) == 2


def test_predict_a_tsig_train_model_recomputes_its_configured_features(tmp_path, lake_and_model) -> None:
    root, _ = lake_and_model
    cfg = {"name": "cfgd", "data": {"source": "lake", "lake": str(root / "lake")},
           "features": {"indicators": [{"name": "rsi", "params": {"timeperiod": 14}}], "ml_features": True},
           "models": {"name": "lightgbm", "params": {"n_estimators": 10, "min_child_samples": 20},
                      "test_bars": 100, "horizon": 2, "registry": str(tmp_path / "reg")}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg))
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "--config", str(tmp_path / "c.yaml"), "--json"])
    assert trained.exit_code == 0, trained.output
    mid = json.loads(trained.output)["model_id"]
    res = runner.invoke(app, ["predict", mid, "--lake", str(root / "lake"), "--registry",
                              str(tmp_path / "reg"), "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["symbols"]
    # tsig train held out the last 100 label dates after a purge of `horizon`: exactly the bars
    # the model may score start at its test window (the last 2 bars have features, no label)
    test_start = ModelRegistry(tmp_path / "reg").manifest(mid)["extra"]["test_start"]
    assert len(rows) == 5 and all(r["scored"] == 100 + 2 for r in rows)
    assert all(pd.Timestamp(r["first_scored"]) == pd.Timestamp(test_start) for r in rows)


def test_predict_unknown_model_or_bad_timeframe_exits_2(lake_and_model) -> None:
    root, mid = lake_and_model
    runner = CliRunner()
    res = runner.invoke(app, ["predict", "nope", "--lake", str(root / "lake"),
                              "--registry", str(root / "reg")])
    assert res.exit_code == 2 and "no model named 'nope'" in res.output
    res = runner.invoke(app, ["predict", mid, "--lake", str(root / "lake"), "--registry", str(root / "reg"),
                              "--timeframe", "7x"])
    assert res.exit_code == 2 and "7x" in res.output
