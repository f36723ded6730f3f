"""Ray Tune end to end on a tiny config: interrupted search, Tuner.restore, parity, registration."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from trading_signals.config import load_config
from trading_signals.errors import ConfigError
from trading_signals.models.factory import cross_validate, make_folds

pytestmark = pytest.mark.ray
NAME = "tiny-lightgbm-0"  # what tune_and_register calls study 0 of experiment "tiny"
CONFIG = Path(__file__).parent / "configs" / "tune_tiny.yaml"
os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "0")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from trading_signals.cli.models import build_xy
    from trading_signals.models.workflow import holdout_split

    root = tmp_path_factory.mktemp("tune")
    cfg = load_config(CONFIG)
    tune_cfg = cfg.tune.model_copy(update={"storage_path": str(root / "tune"), "experiment_name": "tiny"})
    cfg = cfg.model_copy(update={"tune": tune_cfg, "models": cfg.models.model_copy(update={"registry": str(root / "reg")})})
    X, y, _, _ = build_xy(cfg)
    split = holdout_split(X, test_bars=cfg.models.test_bars, purge=1)
    return cfg, X.iloc[split.train], y.iloc[split.train]


def test_tune_interrupted_then_restored_resumes_from_checkpoint(ray_local, tiny) -> None:
    from ray import tune
    from trading_signals.distributed.tune import run_study

    cfg, X, y = tiny
    study = cfg.tune.studies[0]
    with pytest.raises(ConfigError, match="no lightgbm trial finished"):  # all crash after fold 1
        run_study(X, y, study=study, tune_cfg=cfg.tune, name=NAME, fail_after_fold=1)
    path = Path(cfg.tune.storage_path) / NAME
    assert tune.Tuner.can_restore(str(path))
    restored = run_study(X, y, study=study, tune_cfg=cfg.tune, name=NAME, resume=True)
    # ASHA may stop the weaker trial at fold 1; every trial that finished resumed at fold 1.
    done = [t for t in restored.trials if t["folds_done"] == cfg.tune.n_splits]
    assert len(done) == restored.n_complete >= 1
    assert all(t["start_fold"] == 1 for t in done)  # fold 1 came from the checkpoint
    # Parity: the trial's metric equals the serial core path on the same folds.
    folds = make_folds(X, n_splits=cfg.tune.n_splits, purge=1)
    serial = cross_validate(study.model, restored.best_params, X, y, folds)
    assert restored.best_metric == pytest.approx(np.mean([s["rank_ic"] for s in serial]), abs=1e-12)


def test_tune_and_register_best_is_loadable(ray_local, tiny) -> None:
    from trading_signals.distributed.tune import tune_and_register
    from trading_signals.models.registry import ModelRegistry

    cfg, X, y = tiny
    out = tune_and_register(X, y, cfg, resume=True)  # restores the finished search when present
    reg = ModelRegistry(cfg.models.registry)
    man = reg.manifest(out["model_id"])
    assert man["metrics"]["val_rank_ic"] == pytest.approx(out["best_metric"])
    assert man["params"] == out["best_config"] and out["best_family"] == "lightgbm"
    pred = reg.load(out["model_id"]).predict(X)
    assert pred.shape == (len(X),) and np.isfinite(pred).all()
