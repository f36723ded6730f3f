"""Ray Tune with ``tune.storage_path`` on s3:// (moto on loopback): experiment state and trial
checkpoints land in the bucket, and an interrupted search resumes from there (registering on
s3:// is covered by test_s3_study.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests._services import list_objects
from trading_signals.config import load_config
from trading_signals.errors import ConfigError

pytestmark = [pytest.mark.ray, pytest.mark.slow]
CONFIG = Path(__file__).parents[1] / "integration" / "configs" / "tune_tiny.yaml"
os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "0")


def test_tune_storage_resolution_keeps_local_paths_and_passes_uris(moto_s3, tmp_path, monkeypatch) -> None:
    from trading_signals.distributed.tune import tune_storage

    monkeypatch.chdir(tmp_path)
    loc, path, fs = tune_storage("artifacts/tune")
    assert loc == path == str(tmp_path / "artifacts" / "tune") and fs is None
    loc, path, fs = tune_storage(moto_s3.uri("tune"))
    assert loc == moto_s3.uri("tune") and path == f"{moto_s3.bucket}/tune"
    assert fs is not None and fs.type_name == "s3"
    with pytest.raises(ConfigError, match="unsupported storage scheme"):
        tune_storage("nosuch://x/y")


def test_tune_on_s3_checkpoints_and_resumes_from_the_bucket(ray_local, moto_s3) -> None:
    from ray import tune

    from trading_signals.distributed.tune import run_study, tune_storage
    from trading_signals.models.dataset import build_xy
    from trading_signals.models.workflow import holdout_split

    cfg = load_config(CONFIG)
    one = cfg.tune.studies[0].model_copy(update={"num_samples": 1})  # one trial: what is tested is storage
    tune_cfg = cfg.tune.model_copy(update={"storage_path": moto_s3.uri("tune"), "studies": (one,)})
    cfg = cfg.model_copy(update={"tune": tune_cfg})
    X, y, _, _ = build_xy(cfg)
    split = holdout_split(X, test_bars=cfg.models.test_bars, purge=1)
    X, y = X.iloc[split.train], y.iloc[split.train]
    name = "s3-lightgbm-0"
    with pytest.raises(ConfigError, match="no lightgbm trial finished"):  # crashes after fold 1
        run_study(X, y, study=one, tune_cfg=cfg.tune, name=name, fail_after_fold=1)
    keys = list_objects(moto_s3, f"tune/{name}/")
    assert any(k.startswith(f"tune/{name}/experiment_state") for k in keys), sorted(keys)[:10]
    assert any("/checkpoint_" in k for k in keys), "trial checkpoints were not uploaded to s3"
    _, path, fs = tune_storage(cfg.tune.storage_path)
    assert tune.Tuner.can_restore(f"{path}/{name}", storage_filesystem=fs)
    assert not Path("s3:").exists() and not Path(f"{moto_s3.bucket}").exists()

    restored = run_study(X, y, study=one, tune_cfg=cfg.tune, name=name, resume=True)
    assert restored.path == moto_s3.uri("tune", name) and restored.n_complete == 1
    (trial,) = restored.trials
    assert trial["start_fold"] == 1 and trial["folds_done"] == cfg.tune.n_splits  # fold 0 came from s3
    after = list_objects(moto_s3, f"tune/{name}/")
    new = {k for k in after if "/checkpoint_" in k} - set(keys)
    assert new, "the resumed trial's checkpoint did not go to s3"  # fold 1's, after the restore
