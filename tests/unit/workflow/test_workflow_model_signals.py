"""A registered model reaches the signal: `tsig signals --model` and the dataset stage."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from trading_signals.cli import app
from trading_signals.config import RunConfig
from trading_signals.data.lake import read_bars, write_bars
from trading_signals.data.signals_lake import read_signals
from trading_signals.data.synthetic import generate_universe
from trading_signals.workflow.dataset import load_dataset


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from trading_signals.models.training import train_window_model

    root = tmp_path_factory.mktemp("model_sig")
    lake = root / "lake"
    for sym, bars in generate_universe(3, 400, seed=8).bars.items():
        write_bars(lake, bars, symbol=sym, timeframe="1d")
    bars = {s: read_bars(lake, symbol=s) for s in ("SYN0000", "SYN0001", "SYN0002")}
    model_id = train_window_model(bars, registry=root / "reg", horizon=5, max_rows=2000,
                                  params={"n_estimators": 10, "min_child_samples": 20})
    return root, lake, model_id


def test_cli_signals_with_a_registered_model_fills_the_model_component(trained) -> None:
    root, lake, model_id = trained
    # Act
    res = CliRunner().invoke(app, ["signals", "--lake", str(lake), "--out", str(root / "out"),
                                   "--model", model_id, "--registry", str(root / "reg"), "--json"])
    plain = CliRunner().invoke(app, ["signals", "--lake", str(lake), "--out", str(root / "plain"), "--json"])
    # Assert: model scores only after its training window, and the explanation names it
    assert res.exit_code == 0 and plain.exit_code == 0, res.output + plain.output
    sig = read_signals(root / "out", symbol="SYN0000")
    score = sig["score_model"]
    # trained on the first 60% of the 400 dates (240), purged 5 bars: nothing scored before
    assert score.notna().any() and score.iloc[:245].isna().all()
    assert "model" in json.loads(res.stdout)[0]["explanation"].split("missing:")[0]
    assert "model" in json.loads(plain.stdout)[0]["explanation"].split("missing:")[1]


def test_load_dataset_returns_the_model_panel() -> None:
    cfg = RunConfig.model_validate({"data": {"source": "synthetic",
                                             "synthetic": {"n_symbols": 3, "n_bars": 400}}})
    ds = load_dataset(cfg)
    assert isinstance(ds.X.index, pd.MultiIndex) and len(ds.X) == len(ds.y) > 0
    assert ds.summary()["symbols"] == 3 and not ds.X.isna().any().any()
