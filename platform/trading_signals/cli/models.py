"""CLI commands of the models area: ``tsig train``, ``tsig tune``, ``tsig evaluate``, ``tsig models ls``.

Data come from the config's ``data`` section: ``synthetic`` (a seeded universe; with
``planted_ic`` its planted signal is added as the feature ``planted``), ``sample`` (packaged
bars through the data-quality gate) or ``lake`` (bars already imported).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from trading_signals.cli._output import JSON_OPTION, console, emit, kv_table, table, user_errors

CONFIG_OPTION = typer.Option(..., "--config", "-c", help="Run config YAML (data, features, models, tune).")
REGISTRY_OPTION = typer.Option(None, "--registry", help="Model registry directory (default: models.registry).")


def __getattr__(name: str) -> Any:
    # build_xy/load_bars moved to trading_signals.models.dataset (shared with jobs/tune.py);
    # kept importable from here, lazily, so `tsig --help` does not import scikit-learn.
    if name in ("build_xy", "load_bars"):
        from trading_signals.models import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def model_backtest(pred: pd.Series | None, bars: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Return the headline metrics of trading ``pred`` through the backtest engine."""
    if pred is None or pred.empty:
        return {}
    from trading_signals.backtest.model_eval import backtest_predictions

    n_sym = pred.index.get_level_values("symbol").nunique()
    res = backtest_predictions(pred, bars, top_k=max(1, n_sym // 5) if n_sym >= 4 else None)
    keys = ("total_return", "annual_return", "sharpe", "sortino", "max_drawdown", "n_trades", "total_costs")
    return {f"bt_{k}": float(res.metrics[k]) for k in keys if k in res.metrics}


def _registry(cfg: Any, registry: str | None) -> Any:
    from trading_signals.models.registry import ModelRegistry

    return ModelRegistry(registry or cfg.models.registry)


def train_command(config: Path = CONFIG_OPTION, registry: str | None = REGISTRY_OPTION,
                  as_json: bool = JSON_OPTION) -> None:
    """Train one model configuration (no Tune), evaluate it on the held-out bars and register it."""
    with user_errors():
        from trading_signals.config import config_id, load_config
        from trading_signals.models.dataset import build_xy
        from trading_signals.models.workflow import fit_and_score, holdout_split, window_of

        cfg = load_config(config)
        X, y, bars, report = build_xy(cfg)
        split = holdout_split(X, test_bars=cfg.models.test_bars, purge=cfg.models.horizon)
        model, metrics, pred = fit_and_score(cfg.models.name, dict(cfg.models.params), X, y, split)
        metrics.update(model_backtest(pred, bars))
        train_w, test_w = window_of(X, split.train), window_of(X, split.test)
        model_id = _registry(cfg, registry).register(
            model, name=cfg.models.registry_name or f"{cfg.name}-{cfg.models.name}", config_id=config_id(cfg),
            features=[str(c) for c in X.columns], train_start=train_w[0], train_end=train_w[1], metrics=metrics,
            extra={"run_config": cfg.model_dump(mode="json"), "test_start": test_w[0], "test_end": test_w[1],
                   "rows_dropped_nan": report.n_rows_in - report.n_rows_out},
        )
        payload = {"model_id": model_id, "family": cfg.models.name, "config_id": config_id(cfg),
                   "n_train_rows": len(split.train), "n_test_rows": len(split.test),
                   "train_window": train_w, "test_window": test_w, "metrics": metrics}
        emit(payload, as_json=as_json, render=lambda p: console.print(kv_table(f"trained {p['model_id']}", {
            **{k: v for k, v in p.items() if k != "metrics"}, **p["metrics"]})))


def tune_command(config: Path = CONFIG_OPTION, registry: str | None = REGISTRY_OPTION,
                 resume: bool = typer.Option(False, "--resume", help="Continue an interrupted search (Tuner.restore)."),
                 address: str | None = typer.Option(None, "--address", help="Ray address (default: RAY_ADDRESS or a local Ray)."),
                 as_json: bool = JSON_OPTION) -> None:
    """Search hyper-parameters with Ray Tune (ASHA + Optuna, purged folds), register the best."""
    with user_errors():
        from trading_signals.config import load_config
        from trading_signals.distributed.runtime import ensure_ray
        from trading_signals.distributed.tune import tune_and_register
        from trading_signals.models.dataset import build_xy
        from trading_signals.models.workflow import holdout_split

        cfg = load_config(config)
        X, y, _bars, _ = build_xy(cfg)
        split = holdout_split(X, test_bars=cfg.models.test_bars, purge=cfg.models.horizon)
        # Tune writes progress tables to stdout; keep stdout for our JSON / table only.
        with contextlib.redirect_stdout(sys.stderr):
            ensure_ray(address)
            out = tune_and_register(X.iloc[split.train], y.iloc[split.train], cfg, resume=resume,
                                    registry_root=registry)
        emit(out, as_json=as_json, render=lambda p: console.print(kv_table("tune result", {
            "best_family": p["best_family"], f"best val {p['metric']}": p["best_metric"],
            "model_id": p["model_id"], **{f"param {k}": v for k, v in p["best_config"].items()}})))


def evaluate_command(model_id: str = typer.Argument(..., help="name/vNNNN, or a name for its latest version."),
                     registry: str | None = REGISTRY_OPTION,
                     config: Path | None = typer.Option(None, "--config", "-c", help="Evaluate on this config's data instead."),
                     as_json: bool = JSON_OPTION) -> None:
    """Print IC, rank IC, ICIR, directional accuracy and model-driven backtest metrics."""
    with user_errors():
        from trading_signals.config import RunConfig, load_config, validate_mapping
        from trading_signals.errors import DataError
        from trading_signals.models.dataset import build_xy
        from trading_signals.models.evaluate import evaluate_predictions
        from trading_signals.models.factory import predict_rows
        from trading_signals.models.registry import ModelRegistry

        reg = ModelRegistry(registry or "artifacts/models")
        man = reg.manifest(model_id)
        stored = man.get("extra", {}).get("run_config", {})
        cfg = load_config(config) if config else validate_mapping(RunConfig, stored, source=f"{model_id} manifest")
        X, y, bars, _ = build_xy(cfg)
        start = pd.Timestamp(man["extra"].get("test_start") or man["train_end"])
        rows = (X.index.get_level_values(0) >= start).nonzero()[0]
        if not man["extra"].get("test_start"):
            rows = rows[X.index.get_level_values(0)[rows] > start]
        if len(rows) == 0:
            raise DataError(f"{model_id}: no rows after the training window {man['train_end']}; pass --config with later data")
        missing = [f for f in man["features"] if f not in X.columns]
        if missing:
            raise DataError(f"{model_id}: the data lack features {missing}; use the config the model was trained with")
        X = X[man["features"]]
        pred = pd.Series(predict_rows(reg.load(man["model_id"]), X, rows), index=X.index[rows])
        metrics = {**evaluate_predictions(pred, y.iloc[rows]), **model_backtest(pred, bars)}
        payload = {"model_id": man["model_id"], "eval_start": str(X.index[rows[0]][0]),
                   "eval_end": str(X.index[rows[-1]][0]), "metrics": metrics}
        emit(payload, as_json=as_json, render=lambda p: console.print(kv_table(
            f"{p['model_id']} on {p['eval_start'][:10]}..{p['eval_end'][:10]}", p["metrics"])))


def ls_command(registry: str = typer.Option("artifacts/models", "--registry", help="Registry directory."),
               as_json: bool = JSON_OPTION) -> None:
    """List registered models with their config id, training window and metrics."""
    with user_errors():
        from trading_signals.models.registry import ModelRegistry

        rows = ModelRegistry(registry).list(include_broken=True)  # broken versions flagged, not fatal
        brief = [{k: m.get(k) for k in ("model_id", "class", "config_id", "train_start", "train_end", "metrics",
                                        "broken")} for m in rows]
        emit(brief, as_json=as_json, render=lambda b: console.print(table(
            "models", ["model_id", "class", "config_id", "train window", "metrics"],
            [(m["model_id"], m["class"], m["config_id"], f"{(m['train_start'] or '')[:10]}..{(m['train_end'] or '')[:10]}",
              ", ".join(f"{k}={v:.4g}" for k, v in list((m["metrics"] or {}).items())[:3] if v is not None))
             if not m["broken"] else (m["model_id"], "BROKEN", "-", "-", m["broken"])
             for m in b])))


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("train")(train_command)
    app.command("tune")(tune_command)
    app.command("evaluate")(evaluate_command)
    models_app = typer.Typer(help="Model registry.", no_args_is_help=True)
    models_app.command("ls")(ls_command)
    app.add_typer(models_app, name="models")
