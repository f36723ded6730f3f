"""The lake, run writers, checkpoints and model registry on s3:// (moto) give what they give locally."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests._services import list_objects, moto_server
from trading_signals.data import lake, storage
from trading_signals.data.checkpoints import CheckpointStore
from trading_signals.data.runs import run_dir, write_frame_atomic, write_json_atomic
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import ConfigError, DataError


@pytest.fixture(scope="module")
def s3():
    with moto_server(bucket="lakeuri") as server:
        yield server


@pytest.fixture(scope="module")
def bars():
    return generate_universe(3, 120, seed=5).bars


def _tree(root) -> dict[str, bytes]:
    return {name: storage.read_bytes(storage.join(root, name)) for name in storage.walk_files(root)}


def test_lake_on_s3_is_byte_identical_to_local(tmp_path, s3, bars):
    local, remote = tmp_path / "lake", s3.uri("lake1")
    for root in (local, remote):
        for sym, frame in bars.items():
            lake.write_bars(root, frame, symbol=sym, timeframe="1d")
    assert _tree(local) == _tree(remote)  # same layout, same bytes
    assert set(list_objects(s3, "lake1/")) == {f"lake1/{k}" for k in _tree(local)}
    assert lake.list_symbols(remote) == lake.list_symbols(local) == sorted(bars)
    for sym in bars:
        got = lake.read_bars(remote, symbol=sym, start="2020-03-01")
        pd.testing.assert_frame_equal(got, lake.read_bars(local, symbol=sym, start="2020-03-01"))
    files = lake.partition_files(remote)
    assert files == [f"{remote}/ohlcv/timeframe=1d/symbol={s}/part-0000.parquet" for s in sorted(bars)]
    info_l, info_r = lake.describe_lake(local), lake.describe_lake(remote)
    assert [(i.symbol, i.rows, i.start, i.end) for i in info_l] == \
           [(i.symbol, i.rows, i.start, i.end) for i in info_r]
    with pytest.raises(DataError, match="no bars for symbol=NOPE"):
        lake.read_bars(remote, symbol="NOPE")
    assert lake.list_symbols(s3.uri("empty-lake")) == []


@pytest.mark.parametrize("where", ["local", "s3"])
def test_write_bars_refuses_to_replace_different_bars_unless_asked(where, tmp_path, s3, bars):
    root = tmp_path / "lake" if where == "local" else s3.uri(f"guard-{where}")
    user = bars["SYN0000"]
    lake.write_bars(root, user, symbol="SYN0000", timeframe="1d", replace=False)
    before = storage.read_bytes(lake.partition_path(root, symbol="SYN0000", timeframe="1d"))
    # Identical content is fine (idempotent re-import).
    lake.write_bars(root, user, symbol="SYN0000", timeframe="1d", replace=False)
    other = bars["SYN0001"]
    with pytest.raises(DataError, match=r"already holds different bars for symbol=SYN0000.*--replace"):
        lake.write_bars(root, other, symbol="SYN0000", timeframe="1d", replace=False)
    assert storage.read_bytes(lake.partition_path(root, symbol="SYN0000", timeframe="1d")) == before
    changed = user.copy()
    changed.iloc[-1, changed.columns.get_loc("close")] += 0.01  # one value differs
    with pytest.raises(DataError, match="refusing to overwrite"):
        lake.write_bars(root, changed, symbol="SYN0000", timeframe="1d", replace=False)
    lake.write_bars(root, other, symbol="SYN0000", timeframe="1d", replace=True)
    np.testing.assert_array_equal(lake.read_bars(root, symbol="SYN0000")["close"], other["close"])


def test_run_writers_and_run_dir_on_s3(tmp_path, s3):
    frame = pd.DataFrame({"equity": [1.0, 1.1, np.nan]},
                         index=pd.date_range("2024-01-01", periods=3, tz="UTC", name="timestamp"))
    out = {}
    for name, root in (("local", str(tmp_path / "runs")), ("s3", s3.uri("runs"))):
        folder = run_dir(root, "abc123", "backtest")
        write_frame_atomic(frame, storage.join(folder, "equity.parquet"))
        write_json_atomic({"sharpe": np.float64(1.5), "bad": float("nan")}, storage.join(folder, "s.json"))
        out[name] = _tree(root)
    assert out["local"] == out["s3"] and sorted(out["s3"]) == ["abc123/backtest/equity.parquet",
                                                              "abc123/backtest/s.json"]
    assert json.loads(out["s3"]["abc123/backtest/s.json"]) == {"sharpe": 1.5, "bad": None}
    assert isinstance(run_dir(s3.uri("runs"), "abc123"), str)
    with pytest.raises(DataError, match="safe directory"):
        run_dir(s3.uri("runs"), "../x")


def test_checkpoints_resume_on_s3(s3):
    where = s3.uri("ckpt", "study")
    store = CheckpointStore(where, "fp1")
    frame = pd.DataFrame({"r": [0.1, -0.2]}, index=pd.Index([10, 11], name="bar"))
    store.save(2, {"window": 2}, frame)
    store.save(10, {"window": 10}, frame * 2)
    # An item whose meta.json never arrived (crash mid-save) is not done.
    storage.write_bytes_atomic(storage.join(where, "item=3", "frame.parquet"),
                               storage.read_bytes(storage.join(where, "item=2", "frame.parquet")))
    again = CheckpointStore(where, "fp1").load_all()
    assert sorted(again) == [2, 10] and again[10][0] == {"window": 10}
    pd.testing.assert_frame_equal(again[10][1], frame * 2)
    with pytest.raises(ConfigError, match="holds another study"):
        CheckpointStore(where, "other")


def test_model_registry_on_s3_roundtrips_and_verifies_hashes(s3, tmp_path):
    from sklearn.linear_model import Ridge

    from trading_signals.models.gbm import LightGBMRegressor
    from trading_signals.models.registry import ModelRegistry

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    y = X["a"] * 0.5 + rng.normal(scale=0.1, size=200)
    models = {"ridge": Ridge(alpha=1.0).fit(X, y),
              "lgbm": LightGBMRegressor(n_estimators=5, random_state=0).fit(X, y)}
    reg, local = ModelRegistry(s3.uri("models")), ModelRegistry(tmp_path / "models")
    for name, model in models.items():
        kwargs = dict(name=name, config_id="c1", features=list(X.columns), train_start=None,
                      train_end=None, metrics={"ic": 0.1})
        ids = [reg.register(model, **kwargs), reg.register(model, **kwargs)]
        local.register(model, **kwargs)
        assert ids == [f"{name}/v0001", f"{name}/v0002"] and reg.latest(name) == ids[1]
        np.testing.assert_array_equal(reg.load(name).predict(X), model.predict(X))
        # Same artifact files (skops zips carry timestamps, so names, not hashes, are compared).
        assert reg.manifest(ids[0])["files"].keys() == local.manifest(f"{name}/v0001")["files"].keys()
        np.testing.assert_array_equal(reg.load(ids[0]).predict(X), local.load(name).predict(X))
    assert [m["model_id"] for m in reg.list()] == ["lgbm/v0001", "lgbm/v0002", "ridge/v0001", "ridge/v0002"]
    # Tampering with the stored artifact is caught after download.
    art = [k for k in list_objects(s3, "models/ridge/v0001/") if not k.endswith("manifest.json")][0]
    storage.write_bytes_atomic(f"s3://{s3.bucket}/{art}", b"not a model")
    with pytest.raises(DataError, match="SHA-256 differs"):
        reg.load("ridge/v0001")
    with pytest.raises(DataError, match="no model 'ridge/v0009'"):
        reg.load("ridge/v0009")
