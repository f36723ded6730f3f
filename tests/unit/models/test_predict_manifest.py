"""``tsig predict --out`` writes a table with a manifest: other settings into it exit 2."""

from __future__ import annotations

import json

import pytest
from trading_signals.cli import app
from trading_signals.data.table_manifest import MANIFEST_NAME
from typer.testing import CliRunner


@pytest.fixture(scope="module")
def lake_and_model(tmp_path_factory, lake_with_model):
    return lake_with_model(tmp_path_factory.mktemp("predict_manifest"), 3, 200, seed=9, name="pm")


def test_predict_out_refuses_other_history_setting_and_appends_symbols(lake_and_model, tmp_path) -> None:
    root, mid = lake_and_model
    base = ["predict", mid, "--lake", str(root / "lake"), "--registry", str(root / "reg"),
            "--out", str(tmp_path), "--json"]
    runner = CliRunner()
    assert runner.invoke(app, [*base, "--symbols", "SYN0000"]).exit_code == 0
    table = next((tmp_path / "predictions").glob("model=*")) / "timeframe=1d"
    before = {p.name: p.read_bytes() for p in table.rglob("*.parquet")}
    res = runner.invoke(app, [*base, "--symbols", "SYN0001", "--no-history"])
    assert res.exit_code == 2 and "history" in res.output and "--replace" in res.output, res.output
    assert not (table / "symbol=SYN0001").exists()
    assert {p.name: p.read_bytes() for p in table.rglob("*.parquet")} == before
    res = runner.invoke(app, [*base, "--symbols", "SYN0001"])
    assert res.exit_code == 0, res.output
    man = json.loads((table / MANIFEST_NAME).read_text())
    assert sorted(man["symbols"]) == ["SYN0000", "SYN0001"] and man["config"]["model_id"] == mid
    assert list(man["columns"])[:3] == ["prediction", "score", "model_id"]
