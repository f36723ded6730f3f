"""The end-to-end backtest study, composed from the workflow stages.

import (gate) -> features -> signals (+ model) -> one portfolio per bar calendar ->
walk-forward -> Monte Carlo -> ``summary.json``, all under ``<study.runs>/<run id>/`` where the
run id is the config id plus a fingerprint of the lake partitions the study reads. The executor
(serial or Ray) is the only thing that differs between a laptop run and a cluster run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd

from trading_signals.config import RunConfig, config_id
from trading_signals.data import storage
from trading_signals.data.runs import write_json_atomic
from trading_signals.observability.metrics import histogram
from trading_signals.observability.tracing import span, spanned
from trading_signals.workflow.executor import Executor, SerialExecutor
from trading_signals.workflow.features import build_features
from trading_signals.workflow.locations import resolve_output
from trading_signals.workflow.montecarlo import run_montecarlo, write_montecarlo
from trading_signals.workflow.portfolio import run_portfolio
from trading_signals.workflow.runs import (
    finish_run,
    finished_summary,
    lake_fingerprint,
    open_run,
    run_id,
)
from trading_signals.workflow.signals import build_signals
from trading_signals.workflow.universe import import_universe
from trading_signals.workflow.walkforward import run_walkforward, walkforward_summary

#: ``on_stage(stage, done, total)``: progress for CLIs (``done == total`` when a stage ends).
OnStage = Callable[[str, int, int], None]
STAGES = ("import", "features", "signals", "portfolio", "walkforward", "montecarlo")


@dataclass
class StudyResult:
    """Where the study wrote its outputs, its run id and its summary."""

    run_dir: str
    run_id: str
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def config_id(self) -> str:  # the run id names the run (config + data)
        return self.run_id


@dataclass(frozen=True)
class StudyLocations:
    """Where the study reads and writes (resolved against the storage root under a job)."""

    lake: str
    runs: str
    registry: str | None  # only when study.model uses the registry

    @classmethod
    def from_config(cls, cfg: RunConfig) -> StudyLocations:
        root = cfg.study.storage
        registry = None if cfg.study.model is None else resolve_output(
            cfg.models.registry, what="models.registry", configured_root=root)
        return cls(lake=resolve_output(cfg.data.lake, what="data.lake", configured_root=root),
                   runs=resolve_output(cfg.study.runs, what="study.runs", configured_root=root),
                   registry=registry)


@spanned("study")
def run_study(cfg: RunConfig, executor: Executor | None = None, *,
              on_stage: OnStage | None = None, reuse: bool = True) -> StudyResult:
    """Run every stage of the study ``cfg`` describes; return where the outputs went.

    Parameters
    ----------
    cfg
        The run config (``data``, ``features``, ``signals``, ``sentiment``, ``backtest``,
        ``risk`` and ``study`` sections are used).
    executor
        :class:`~trading_signals.workflow.executor.SerialExecutor` (default) or a Ray executor;
        the outputs are identical.
    on_stage
        Progress callback ``(stage, done, total)``.
    reuse
        A finished run with the same id (same config, same input data) is returned as it is
        (``summary["reused"] = True``) instead of being recomputed.
    """
    executor = executor or SerialExecutor()
    notify = on_stage or (lambda stage, done, total: None)
    where = StudyLocations.from_config(cfg)
    tf = cfg.data.timeframe
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    start = getattr(executor, "start", None)  # a cluster executor connects before the stages
    if callable(start):
        start()
    startup = time.perf_counter() - t0

    with _timed("import", timings):
        notify("import", 0, 1)
        imported = import_universe(cfg.study.universe, cfg.data, lake=where.lake,
                                   progress=lambda d, t: notify("import", d, t))
    symbols = imported.symbols
    fp = lake_fingerprint(where.lake, timeframe=tf, symbols=symbols)
    cid = config_id(_without_locations(cfg))
    rid = run_id(_without_locations(cfg), fp)
    run_dir = open_run(where.runs, rid, {"kind": "study", "config_id": cid,
                                         "data_fingerprint": fp, "symbols": symbols})
    old = finished_summary(run_dir) if reuse else None
    if old is not None:
        for stage in STAGES:
            notify(stage, 1, 1)
        return StudyResult(run_dir=run_dir, run_id=rid, summary={**old, "reused": True})

    def step(stage: str) -> Callable[[int, int], None]:
        return lambda done, total: notify(stage, done, total)

    summary: dict[str, Any] = {"run_id": rid, "config_id": cid, "data_fingerprint": fp,
                               "run_dir": run_dir, "timeframe": tf, "executor": executor.name,
                               "data": imported.info}
    with _timed("features", timings):
        notify("features", 0, len(symbols))
        feats = build_features(cfg.features, executor, lake=where.lake, out=run_dir, timeframe=tf,
                               symbols=symbols, progress=step("features"))
        summary["features"] = {k: v for k, v in feats.to_dict().items()
                               if k not in ("columns", "seconds", "rows_per_second", "engine", "out")}
    with _timed("signals", timings):
        notify("signals", 0, len(symbols))
        model, model_id = _study_model(cfg, where, symbols)
        news = _sample_news(symbols)
        rows = build_signals(cfg.signals, cfg.sentiment, executor, lake=where.lake, out=run_dir,
                             symbols=symbols, timeframe=tf, news=news, model=model,
                             features=run_dir, progress=step("signals"), model_id=model_id)
        latest = {r["symbol"]: {k: r.get(k) for k in ("signal", "confluence_score", "explanation")}
                  for r in rows}
        summary["signals"] = {"symbols": len(rows), "news_items": 0 if news is None else len(news),
                              "model": model_id, "latest": latest,
                              "indicators_from_features_table": sum(
                                  r.get("indicators") == "features table" for r in rows)}
    with _timed("portfolio", timings):
        notify("portfolio", 0, 1)
        portfolios = run_portfolio(cfg.study.portfolio, cfg.backtest, lake=where.lake,
                                   run_dir=run_dir, symbols=symbols, timeframe=tf,
                                   progress=step("portfolio"))
        summary["portfolios"] = {k: v["metrics"] for k, v in portfolios.items()}
    with _timed("walkforward", timings):
        wanted = symbols if "*" in cfg.study.walkforward_symbols else \
            [s for s in cfg.study.walkforward_symbols if s in symbols]
        notify("walkforward", 0, 1)
        wf = run_walkforward(cfg.risk.walkforward, cfg.backtest, executor, lake=where.lake,
                             run_dir=run_dir, symbols=wanted, timeframe=tf, signals=cfg.signals,
                             horizon=cfg.models.horizon, model=model,
                             progress=step("walkforward")) if wanted else {}
        summary["walkforward"] = {s: walkforward_summary(r) for s, r in wf.items()}
        summary["walkforward_strategy"] = cfg.risk.walkforward.strategy
        notify("walkforward", 1, 1)
    with _timed("montecarlo", timings):
        summary["montecarlo"] = {}
        if cfg.study.montecarlo:
            for name, p in portfolios.items():
                notify("montecarlo", 0, 1)
                res = run_montecarlo(cfg.risk.montecarlo, executor, returns=p["returns"].to_numpy()[1:],
                                     progress=step("montecarlo"))
                summary["montecarlo"][name] = write_montecarlo(
                    res, storage.join(run_dir, "montecarlo", name))
    summary["seconds"] = {k: round(v, 2) for k, v in timings.items()}
    summary["executor_start_seconds"] = round(startup, 2)
    write_json_atomic(cfg.model_dump(mode="json"), storage.join(run_dir, "config.json"))
    finish_run(run_dir, summary)
    return StudyResult(run_dir=run_dir, run_id=rid, summary=summary)


def _without_locations(cfg: RunConfig) -> RunConfig:
    # Where the lake, runs and registry live does not change results (the data fingerprint
    # covers the lake's content), so the same study elsewhere keeps its run id.
    return cfg.model_copy(update={
        "data": cfg.data.model_copy(update={"lake": ""}),
        "study": cfg.study.model_copy(update={"runs": "", "storage": None}),
        "models": cfg.models.model_copy(update={"registry": ""})})


@contextmanager
def _timed(stage: str, timings: dict[str, float]) -> Iterator[None]:
    t0 = time.perf_counter()
    with span(f"stage:{stage}", stage=stage):  # spans and metrics: docs/observability.md
        yield
    timings[stage] = time.perf_counter() - t0
    histogram("tsig_stage_seconds").observe(timings[stage], {"stage": stage})


def _study_model(cfg: RunConfig, where: StudyLocations, symbols: list[str]) -> tuple[Any, str | None]:
    """Return the point-in-time model component named by ``study.model`` (and its id)."""
    if cfg.study.model is None or where.registry is None:
        return None, None
    from trading_signals.data.lake import read_bars
    from trading_signals.models.pit import model_component_for

    tf = cfg.data.timeframe
    model_id = cfg.study.model
    if model_id == "train":
        from trading_signals.models.training import train_window_model

        bars = {s: read_bars(where.lake, symbol=s, timeframe=tf) for s in symbols}
        model_id = train_window_model(bars, registry=where.registry,
                                      seed=cfg.study.universe.synthetic_seed)
    return model_component_for(model_id, where.registry, timeframe=tf), model_id


def _sample_news(symbols: list[str]) -> pd.DataFrame | None:
    from trading_signals.data.news import load_news

    path = resources.files("trading_signals.resources") / "news_sample.jsonl"
    news = load_news(str(path))
    keep = news["symbols"].map(lambda syms: bool(set(syms) & set(symbols)))
    return news[keep].reset_index(drop=True) if keep.any() else None
