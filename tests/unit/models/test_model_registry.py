from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import skops.io as sio
import torch
from sklearn.neighbors import KNeighborsRegressor
from trading_signals.errors import ConfigError, DataError
from trading_signals.models import (
    AttentionLSTMRegressor,
    LightGBMRegressor,
    ModelRegistry,
    StackedEnsemble,
)
from trading_signals.models.registry import load_skops

FITTED = {
    "lstm": lambda: AttentionLSTMRegressor(seq_len=3, hidden_size=4, num_heads=1, max_epochs=1),
    "lgbm": lambda: LightGBMRegressor(n_estimators=10),
    "ens": lambda: StackedEnsemble(n_splits=2, n_estimators=5),
}


@pytest.fixture(scope="module")
def fitted(planted_small):
    X, y, _ = planted_small
    return {k: make().fit(X, y) for k, make in FITTED.items()}, X


def _register(reg, model, X, name="m"):
    return reg.register(model, name=name, config_id="cfg123", features=list(X.columns),
                        train_start=X.index[0][0], train_end=X.index[-1][0], metrics={"rank_ic": 0.1})


@pytest.mark.parametrize("kind", sorted(FITTED))
def test_registry_roundtrip_same_predictions_and_manifest(kind, fitted, tmp_path) -> None:
    models, X = fitted
    reg = ModelRegistry(f"file://{tmp_path}")
    mid = _register(reg, models[kind], X, name=kind)
    loaded = reg.load(mid)
    np.testing.assert_array_equal(loaded.predict(X), models[kind].predict(X))
    man = reg.manifest(kind)
    assert man["model_id"] == mid == f"{kind}/v0001"
    assert man["config_id"] == "cfg123" and man["features"] == list(X.columns)
    assert man["train_start"].startswith(str(X.index[0][0].date()))


def test_registry_versions_increase_and_latest(fitted, tmp_path) -> None:
    models, X = fitted
    reg = ModelRegistry(tmp_path)
    ids = [_register(reg, models["lgbm"], X) for _ in range(3)]
    assert ids == ["m/v0001", "m/v0002", "m/v0003"]
    assert reg.latest("m") == "m/v0003"
    assert [m["model_id"] for m in reg.list()] == ids


def test_registry_tampered_artifact_refused(fitted, tmp_path) -> None:
    models, X = fitted
    reg = ModelRegistry(tmp_path)
    mid = _register(reg, models["lgbm"], X)
    path = tmp_path / mid / "model.txt"
    path.write_text(path.read_text().replace("learning_rate", "learning_rate "))
    with pytest.raises(DataError, match="SHA-256"):
        reg.load(mid)


def test_registry_unknown_skops_type_refused(planted_small, tmp_path) -> None:
    X, y, _ = planted_small
    reg = ModelRegistry(tmp_path)
    mid = _register(reg, KNeighborsRegressor(n_neighbors=3).fit(X, y), X)
    with pytest.raises(DataError, match="untrusted types"):
        reg.load(mid)
    sio.dump(KNeighborsRegressor().fit(X, y), tmp_path / "k.skops")
    with pytest.raises(DataError, match="KNeighborsRegressor"):
        load_skops(tmp_path / "k.skops")


class _Evil:
    def __reduce__(self):
        return (print, ("unpickled!",))


def test_registry_torch_weights_only_refuses_pickled_objects(fitted, tmp_path) -> None:
    models, X = fitted
    reg = ModelRegistry(tmp_path)
    mid = _register(reg, models["lstm"], X)
    vdir = tmp_path / mid
    torch.save({"payload": _Evil()}, vdir / "weights.pt")
    man = json.loads((vdir / "manifest.json").read_text())
    import hashlib

    man["files"]["weights.pt"] = hashlib.sha256((vdir / "weights.pt").read_bytes()).hexdigest()
    (vdir / "manifest.json").write_text(json.dumps(man))  # attacker also rewrote the hash
    with pytest.raises(pickle.UnpicklingError):
        reg.load(mid)


def test_registry_bad_names_and_schemes_raise_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="scheme"):
        ModelRegistry("nosuch://bucket/models")  # s3:// and gs:// are supported (tests/cluster)
    with pytest.raises(ConfigError, match="invalid model name"):
        ModelRegistry(tmp_path).register(object(), name="../x", config_id="c", features=[],
                                         train_start=None, train_end=None)
