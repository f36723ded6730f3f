"""A seeded tune repeats exactly: same trials, ASHA decisions, best configuration and metric.

Before the fix, two trials ran at once: ASHA stopped trials by comparing with whichever rung
results had arrived, so trial counts and the best configuration changed run to run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trading_signals.config import load_config

pytestmark = pytest.mark.ray
CONFIG = Path(__file__).parent / "configs" / "tune_tiny.yaml"


def _run(tmp: Path, X, y, cfg, tag: str):
    from trading_signals.distributed.tune import run_study

    tune_cfg = cfg.tune.model_copy(update={"storage_path": str(tmp / tag), "num_samples": 3})
    return run_study(X, y, study=cfg.tune.studies[0].model_copy(update={"num_samples": 3}),
                     tune_cfg=tune_cfg, name="det")


def test_seeded_tune_twice_gives_identical_outcome(ray_local, tmp_path: Path) -> None:
    from trading_signals.cli.models import build_xy
    from trading_signals.models.workflow import holdout_split

    cfg = load_config(CONFIG)
    assert cfg.tune.deterministic  # the default
    X, y, _, _ = build_xy(cfg)
    split = holdout_split(X, test_bars=cfg.models.test_bars, purge=1)
    X, y = X.iloc[split.train], y.iloc[split.train]
    a = _run(tmp_path, X, y, cfg, "a")
    b = _run(tmp_path, X, y, cfg, "b")
    assert a.n_trials == b.n_trials == 3
    assert a.n_complete == b.n_complete >= 1
    assert a.best_params == b.best_params
    assert a.best_metric == b.best_metric  # to the last digit
    strip = [(t["params"], t["metric"], t["folds_done"]) for t in a.trials]
    assert strip == [(t["params"], t["metric"], t["folds_done"]) for t in b.trials]
