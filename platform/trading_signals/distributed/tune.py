"""Ray Tune adapter: search spaces from config data, a fold-by-fold function trainable,
ASHA + Optuna, checkpoint/resume, and retraining + registering the best configuration.

The trainable only adapts: every step calls the core objective
:func:`trading_signals.models.factory.fold_score`; :func:`~trading_signals.models.factory.cross_validate`
is the serial path that gives the same numbers.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.fs as pafs
from ray import tune
from ray.tune import Checkpoint, CheckpointConfig, FailureConfig, RunConfig
from ray.tune.schedulers import ASHAScheduler
from ray.tune.search import ConcurrencyLimiter
from ray.tune.search.optuna import OptunaSearch

from trading_signals.config import RunConfig as TsRunConfig
from trading_signals.config import config_id
from trading_signals.config.tune import SearchDist, TuneStudyConfig
from trading_signals.config.tune import TuneConfig as TsTuneConfig
from trading_signals.data import storage
from trading_signals.errors import ConfigError
from trading_signals.models.factory import build_model, fold_score, make_folds

_STATE = "state.json"


def to_tune_space(space: Mapping[str, SearchDist]) -> dict[str, Any]:
    """Convert validated search-space data into ``ray.tune`` sampling objects."""
    out: dict[str, Any] = {}
    for key, d in space.items():
        if d.dist == "choice":
            out[key] = tune.choice(list(d.values or ()))
        elif d.dist == "loguniform":
            out[key] = tune.loguniform(d.low, d.high)
        elif d.dist == "uniform":
            out[key] = tune.uniform(d.low, d.high)
        elif d.dist == "quniform":
            out[key] = tune.quniform(d.low, d.high, d.q)
        elif d.dist == "randint":
            out[key] = tune.randint(int(d.low or 0), int(d.high or 0))
        else:  # pragma: no cover - the config model rejects other names
            raise ConfigError(f"tune.search_space.{key}: unknown dist {d.dist!r}")
    return out


def fold_trainable(config: dict[str, Any], *, X: pd.DataFrame, y: pd.Series, family: str,
                   folds: list[tuple[np.ndarray, np.ndarray]], metric: str,
                   fail_after_fold: int | None = None) -> None:
    """Tune function trainable: one core :func:`fold_score` per fold, a report after each.

    The reported ``metric`` is the mean over the folds done so far (the ASHA rung value); a
    checkpoint holds the per-fold scores, so a restored trial skips folds already done
    (``start_fold`` reports where this run of the trial began). ``fail_after_fold`` injects a
    crash after that many folds, to exercise ``Tuner.restore``.
    """
    scores: list[dict[str, float]] = []
    ck = tune.get_checkpoint()
    if ck is not None:
        with ck.as_directory() as d:
            scores = json.loads((Path(d) / _STATE).read_text())["scores"]
    start = len(scores)
    for k in range(start, len(folds)):
        if fail_after_fold is not None and k >= fail_after_fold:
            raise RuntimeError(f"injected failure after fold {fail_after_fold}")
        train_idx, test_idx = folds[k]
        scores.append(fold_score(family, dict(config), X, y, train_idx, test_idx))
        mean = {m: float(np.nanmean([s[m] for s in scores])) for m in scores[0]}
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / _STATE).write_text(json.dumps({"scores": scores}))
            tune.report({**mean, metric: mean[metric], "folds_done": k + 1, "start_fold": start},
                        checkpoint=Checkpoint.from_directory(d))


@dataclass
class StudyOutcome:
    """Best configuration of one model family."""

    family: str
    best_params: dict[str, Any]
    best_metric: float
    n_trials: int
    n_complete: int
    path: str
    trials: list[dict[str, Any]] = field(default_factory=list)


def run_study(X: pd.DataFrame, y: pd.Series, *, study: TuneStudyConfig, tune_cfg: TsTuneConfig,
              name: str, resume: bool = False, fail_after_fold: int | None = None) -> StudyOutcome:
    """Search one model family with ASHA + Optuna; resume with ``Tuner.restore`` if asked.

    With ``resume=True`` and an experiment at ``<storage_path>/<name>``, unfinished and errored
    trials continue from their last checkpoint (their completed folds are not recomputed).
    ``tune.storage_path`` may be a local path or an object-store URI (see :func:`tune_storage`);
    the trial's own checkpoint directories are local temp dirs that Tune uploads there.
    """
    purge = tune_cfg.purge if tune_cfg.purge is not None else 1
    folds = make_folds(X, n_splits=tune_cfg.n_splits, purge=purge, embargo=tune_cfg.embargo,
                       test_size=tune_cfg.test_size, train_size=tune_cfg.train_size)
    trainable = tune.with_resources(
        tune.with_parameters(fold_trainable, X=X, y=y, family=study.model, folds=folds, metric=tune_cfg.metric,
                            fail_after_fold=fail_after_fold),
        {"cpu": tune_cfg.cpus_per_trial, "gpu": tune_cfg.gpus_per_trial},
    )
    location, storage_path, fs = tune_storage(tune_cfg.storage_path)
    path = f"{storage_path.rstrip('/')}/{name}"
    if resume and tune.Tuner.can_restore(path, storage_filesystem=fs):
        tuner = tune.Tuner.restore(path, trainable=trainable, resume_errored=True,
                                   storage_filesystem=fs)
    else:
        tuner = _new_tuner(trainable, study, tune_cfg, storage_path, name, fs)
    grid = tuner.fit()
    return _summarise(grid, study.model, tune_cfg, storage.join(location, name))


def tune_storage(location: str) -> tuple[str, str, pafs.FileSystem | None]:
    """Return ``(location, storage_path, storage_filesystem)`` for Ray Tune's ``RunConfig``.

    A local path is made absolute (Tune needs one) and gets no filesystem; an object-store URI
    (``s3://bucket/tune``) is resolved through :func:`trading_signals.data.storage.resolve`, so
    Tune writes experiment state and trial checkpoints with the same endpoint, region and
    credentials as every other table (``AWS_ENDPOINT_URL`` for MinIO/moto included). Under
    ``ray job submit`` a relative path joins ``TSIG_STORAGE`` like every output location.
    """
    from trading_signals.workflow.locations import resolve_output

    text = resolve_output(storage.check_supported(location), what="tune.storage_path")
    if storage.is_remote(text):
        fs, path = storage.resolve(text)
        return text, path, fs
    local = str(Path(storage.local_path(text)).resolve())
    return local, local, None


def _new_tuner(trainable: Any, study: TuneStudyConfig, cfg: TsTuneConfig, storage_path: str, name: str,
               fs: pafs.FileSystem | None) -> tune.Tuner:
    space = to_tune_space(study.search_space)
    # Determinism: the searcher is seeded and the models are seeded (random_state, deterministic
    # LightGBM, deterministic torch); what remains is the order in which concurrent trials report.
    # ASHA stops a trial by comparing it with the rung results *already in*, and Optuna's TPE
    # (after its 10 random start-up trials) suggests from the results already in, so with
    # several trials in flight those depend on timing. One trial at a time removes that.
    concurrent = 1 if cfg.deterministic else cfg.max_concurrent
    search_alg = None
    if space:
        search_alg = ConcurrencyLimiter(OptunaSearch(seed=cfg.seed), max_concurrent=concurrent)
    return tune.Tuner(
        trainable,
        param_space={**study.params, **space},
        tune_config=tune.TuneConfig(
            metric=cfg.metric, mode=cfg.mode, num_samples=study.num_samples or cfg.num_samples,
            search_alg=search_alg, max_concurrent_trials=concurrent,
            scheduler=ASHAScheduler(max_t=cfg.n_splits, grace_period=min(cfg.grace_period, cfg.n_splits),
                                    reduction_factor=cfg.reduction_factor),
            reuse_actors=True,
        ),
        run_config=RunConfig(name=name, storage_path=storage_path, storage_filesystem=fs, verbose=0,
                             checkpoint_config=CheckpointConfig(num_to_keep=1),
                             failure_config=FailureConfig(max_failures=0)),
    )


def _summarise(grid: Any, family: str, cfg: TsTuneConfig, path: str) -> StudyOutcome:
    trials = []
    for res in grid:
        if res.error is not None or not res.metrics:
            continue
        trials.append({"params": dict(res.config), "metric": res.metrics.get(cfg.metric),
                       "folds_done": res.metrics.get("folds_done", 0),
                       "start_fold": res.metrics.get("start_fold", 0)})
    # Only trials that walked every fold compete: an ASHA-stopped trial's mean is over fewer folds.
    complete = [t for t in trials if t["folds_done"] == cfg.n_splits and t["metric"] is not None
                and np.isfinite(t["metric"])]
    if not complete:
        raise ConfigError(f"tune: no {family} trial finished all {cfg.n_splits} folds in {path}; "
                          "raise num_samples or check the trial errors")
    sign = 1.0 if cfg.mode == "max" else -1.0
    best = max(complete, key=lambda t: sign * t["metric"])
    return StudyOutcome(family, best["params"], float(best["metric"]), len(trials), len(complete), path, trials)


def studies_of(cfg: TsRunConfig) -> list[TuneStudyConfig]:
    """Return the studies to run: ``tune.studies`` or one built from ``models`` + ``tune.search_space``."""
    if cfg.tune.studies:
        return list(cfg.tune.studies)
    return [TuneStudyConfig(model=cfg.models.name, params=cfg.models.params, search_space=cfg.tune.search_space)]


def tune_and_register(X: pd.DataFrame, y: pd.Series, cfg: TsRunConfig, *, resume: bool = False,
                      registry_root: str | None = None) -> dict[str, Any]:
    """Search every study, refit the overall best configuration on all of ``X`` and register it.

    Returns
    -------
    dict
        ``best_family``, ``best_config``, ``best_metric`` (mean validation ``tune.metric`` over
        the purged folds), ``metric``, ``model_id`` and a per-study summary.
    """
    from trading_signals.models.registry import ModelRegistry

    base = cfg.tune.experiment_name or f"{cfg.name}-{config_id(cfg)}"
    outcomes = [run_study(X, y, study=s, tune_cfg=cfg.tune, name=f"{base}-{s.model}-{i}", resume=resume)
                for i, s in enumerate(studies_of(cfg))]
    sign = 1.0 if cfg.tune.mode == "max" else -1.0
    best = max(outcomes, key=lambda o: sign * o.best_metric)
    model = build_model(best.family, best.best_params).fit(X, y)
    ts = X.index.get_level_values(0)
    model_id = ModelRegistry(registry_root or cfg.models.registry).register(
        model, name=cfg.models.registry_name or f"{cfg.name}-{best.family}", config_id=config_id(cfg),
        features=[str(c) for c in X.columns], train_start=ts.min(), train_end=ts.max(),
        metrics={f"val_{cfg.tune.metric}": best.best_metric}, params=_jsonable(best.best_params),
    )
    return {
        "best_family": best.family, "best_config": _jsonable(best.best_params),
        "best_metric": best.best_metric, "metric": cfg.tune.metric, "model_id": model_id,
        "studies": [{"family": o.family, "best_metric": o.best_metric, "n_trials": o.n_trials,
                     "n_complete": o.n_complete, "path": o.path} for o in outcomes],
    }


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in params.items()}
