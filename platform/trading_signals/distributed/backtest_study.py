"""The end-to-end backtest study (the users' main flow) on Ray, with a serial path per stage.

Stages: import the universe through the quality gate -> features (fan-out per symbol) ->
confluence signals (fan-out per symbol) -> portfolio backtest per calendar group ->
walk-forward windows (Ray tasks) -> Monte Carlo paths (Ray tasks) -> ``summary.json``.
Every stage writes atomically under ``<runs>/<config_id>/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from trading_signals.backtest import run_backtest, strategies
from trading_signals.backtest.walkforward import SmaCrossSearch, run_walk_forward
from trading_signals.backtest.windows import make_windows
from trading_signals.config import RunConfig, config_id
from trading_signals.data.checkpoints import CheckpointStore, fingerprint
from trading_signals.data.features_lake import build_features_serial
from trading_signals.data.importer import import_raw
from trading_signals.data.lake import read_bars
from trading_signals.data.runs import write_frame_atomic, write_json_atomic
from trading_signals.data.raw import RawInput
from trading_signals.data.signals_lake import build_signals_serial, read_signals
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import DataError
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.risk.montecarlo import run_montecarlo

# on_stage(stage, done, total): progress callback for CLIs (done == total when a stage ends).
OnStage = Callable[[str, int, int], None]


@dataclass
class StudyResult:
    run_dir: Path
    config_id: str
    summary: dict[str, Any] = field(default_factory=dict)


def run_backtest_study(
    cfg: RunConfig, *, use_ray: bool = True, address: str | None = None,
    on_stage: OnStage | None = None,
) -> StudyResult:
    """Run every stage of the study described by ``cfg`` and return where the outputs went."""
    notify = on_stage or (lambda stage, done, total: None)
    run_id = config_id(cfg)
    run_dir = Path(cfg.study.runs) / run_id
    lake = Path(cfg.data.lake)
    tf = cfg.data.timeframe
    timings: dict[str, float] = {}
    summary: dict[str, Any] = {"config_id": run_id, "run_dir": str(run_dir), "timeframe": tf}
    if use_ray:
        from trading_signals.distributed.runtime import ensure_ray

        ensure_ray(address)

    t0 = time.perf_counter()
    summary["data"], symbols = _import_universe(cfg, lake, notify)
    timings["import"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary["features"] = _features(cfg, lake, run_dir, symbols, use_ray, notify)
    timings["features"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary["signals"] = _signals(cfg, lake, run_dir, symbols, use_ray, notify)
    timings["signals"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    portfolios = _portfolios(cfg, lake, run_dir, symbols, notify)
    summary["portfolios"] = {k: v["metrics"] for k, v in portfolios.items()}
    timings["portfolio"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary["walkforward"] = _walkforward(cfg, lake, run_dir, symbols, use_ray, notify)
    timings["walkforward"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if cfg.study.montecarlo:
        summary["montecarlo"] = _montecarlo(cfg, run_dir, portfolios, use_ray, notify)
    timings["montecarlo"] = time.perf_counter() - t0

    summary["seconds"] = {k: round(v, 2) for k, v in timings.items()}
    write_json_atomic(cfg.model_dump(mode="json"), run_dir / "config.json")
    write_json_atomic(summary, run_dir / "summary.json")
    return StudyResult(run_dir=run_dir, config_id=run_id, summary=summary)


def _import_universe(cfg: RunConfig, lake: Path, notify: OnStage) -> tuple[dict[str, Any], list[str]]:
    uni = cfg.study.universe
    inputs: list[RawInput] = []
    if uni.sample:
        from trading_signals.data.sample import load_sample

        inputs.extend(load_sample())
    if uni.synthetic_symbols:
        u = generate_universe(uni.synthetic_symbols, uni.synthetic_bars, seed=uni.synthetic_seed,
                              timeframe=cfg.data.timeframe)
        inputs.extend(RawInput(source="synthetic", symbol=s, frame=f.reset_index(), timeframe=cfg.data.timeframe)
                      for s, f in u.bars.items())
    notify("import", 0, len(inputs))
    report = import_raw(inputs, lake=lake, timeframe=cfg.data.timeframe, config=cfg.data.gate) if inputs else None
    notify("import", len(inputs), len(inputs))
    symbols = sorted({p["symbol"] for p in report.partitions} if report else set()) + list(uni.lake_symbols)
    symbols = sorted(set(symbols))
    if not symbols:
        raise DataError("the study universe is empty: enable study.universe.sample, add synthetic "
                        "symbols, or list study.universe.lake_symbols")
    info: dict[str, Any] = {"lake": str(lake), "symbols": len(symbols)}
    if report is not None:
        info.update(rows_in=sum(r.rows_in for r in report.inputs),
                    rows_clean=sum(r.rows_clean for r in report.inputs),
                    rows_quarantined=sum(r.rows_quarantined for r in report.inputs),
                    issues_by_rule=_rule_totals(report.inputs),
                    report=report.report_path, quarantine_files=report.quarantine_files)
    return info, symbols


def _rule_totals(reports: list[Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for r in reports:
        for rule, n in r.rule_counts().items():
            totals[rule] = totals.get(rule, 0) + n
    return dict(sorted(totals.items()))


def _features(cfg: RunConfig, lake: Path, run_dir: Path, symbols: list[str], use_ray: bool,
              notify: OnStage) -> dict[str, Any]:
    compute = FeatureComputer.from_config(cfg.features)
    done = [0]

    def tick(_: Any) -> None:
        done[0] += 1
        notify("features", done[0], len(symbols))

    notify("features", 0, len(symbols))
    if use_ray:
        from trading_signals.distributed.features import build_features_ray

        res = build_features_ray(lake, run_dir, timeframe=cfg.data.timeframe, symbols=symbols,
                                 compute=compute, on_result=tick)
    else:
        res = build_features_serial(lake, run_dir, timeframe=cfg.data.timeframe, symbols=symbols,
                                    compute=compute, on_result=tick)
    return {k: v for k, v in res.to_dict().items() if k != "columns"}


def _signals(cfg: RunConfig, lake: Path, run_dir: Path, symbols: list[str], use_ray: bool,
             notify: OnStage) -> dict[str, Any]:
    news = _sample_news(symbols)
    notify("signals", 0, len(symbols))
    kwargs = dict(symbols=symbols, timeframe=cfg.data.timeframe, news=news, config=cfg.signals,
                  sentiment_config=cfg.sentiment)
    if use_ray:
        from trading_signals.distributed.signals import build_signals_ray

        rows = build_signals_ray(lake, run_dir, **kwargs)  # type: ignore[arg-type]
    else:
        rows = build_signals_serial(lake, run_dir, **kwargs)  # type: ignore[arg-type]
    notify("signals", len(symbols), len(symbols))
    latest = {r["symbol"]: {k: r.get(k) for k in ("signal", "confluence_score", "explanation")} for r in rows}
    return {"symbols": len(rows), "news_items": 0 if news is None else len(news), "latest": latest}


def _sample_news(symbols: list[str]) -> pd.DataFrame | None:
    from trading_signals.data.news import load_news

    path = resources.files("trading_signals.resources") / "news_sample.jsonl"
    news = load_news(Path(str(path)))
    keep = news["symbols"].map(lambda syms: bool(set(syms) & set(symbols)))
    return news[keep].reset_index(drop=True) if keep.any() else None


def _calendar_groups(lake: Path, symbols: list[str], tf: str) -> dict[str, dict[str, pd.DataFrame]]:
    groups: dict[str, dict[str, pd.DataFrame]] = {}
    for s in symbols:
        bars = read_bars(lake, symbol=s, timeframe=tf)
        key = "synthetic" if s.startswith("SYN") else "sample" if s in ("SP500", "NASDAQ") else "lake"
        key = f"{key}-{bars.index[0]:%Y%m%d}-{len(bars)}"
        groups.setdefault(key, {})[s] = bars
    return groups


def _portfolios(cfg: RunConfig, lake: Path, run_dir: Path, symbols: list[str],
                notify: OnStage) -> dict[str, dict[str, Any]]:
    pcfg, bcfg = cfg.study.portfolio, cfg.backtest
    groups = _calendar_groups(lake, symbols, cfg.data.timeframe)
    out: dict[str, dict[str, Any]] = {}
    for k, (name, prices) in enumerate(sorted(groups.items())):
        notify("portfolio", k, len(groups))
        if pcfg.strategy == "confluence":
            sig = {s: read_signals(run_dir, symbol=s, timeframe=cfg.data.timeframe) for s in prices}
            target = strategies.confluence(sig, long_only=pcfg.long_only)
        else:
            target = pd.DataFrame({s: strategies.sma_cross(f["close"], fast=pcfg.fast, slow=pcfg.slow,
                                                           long_only=pcfg.long_only) for s, f in prices.items()})
        target = target / len(prices)  # equal risk budget per symbol; the gross cap still applies
        res = run_backtest(prices, target, fill=bcfg.fill, commission_bps=bcfg.commission_bps,
                           slippage_bps=bcfg.slippage_bps, initial_cash=bcfg.initial_cash,
                           max_gross=pcfg.max_gross)
        pdir = run_dir / "portfolio" / name
        write_frame_atomic(res.equity.to_frame("equity"), pdir / "equity.parquet")
        write_frame_atomic(res.returns.to_frame("return"), pdir / "returns.parquet")
        write_frame_atomic(res.trades.reset_index(drop=True), pdir / "trades.parquet")
        out[name] = {"metrics": {"symbols": len(prices), **res.metrics}, "returns": res.returns}
    notify("portfolio", len(groups), len(groups))
    return out


def _walkforward(cfg: RunConfig, lake: Path, run_dir: Path, symbols: list[str], use_ray: bool,
                 notify: OnStage) -> dict[str, Any]:
    wf, bcfg = cfg.risk.walkforward, cfg.backtest
    wanted = symbols if "*" in cfg.study.walkforward_symbols else \
        [s for s in cfg.study.walkforward_symbols if s in symbols]
    strategy = SmaCrossSearch(fast=wf.fast, slow=wf.slow, commission_bps=bcfg.commission_bps,
                              slippage_bps=bcfg.slippage_bps)
    engine = {"commission_bps": bcfg.commission_bps, "slippage_bps": bcfg.slippage_bps,
              "initial_cash": bcfg.initial_cash}
    out: dict[str, Any] = {}
    for k, sym in enumerate(wanted):
        notify("walkforward", k, len(wanted))
        prices = read_bars(lake, symbol=sym, timeframe=cfg.data.timeframe)
        windows = make_windows(prices.index, train=wf.train, test=wf.test, step=wf.step,
                               anchored=wf.anchored, purge=wf.purge, embargo=wf.embargo)
        wdir = run_dir / "walkforward" / sym
        store = CheckpointStore(wdir / "windows", fingerprint(prices, {"wf": wf.model_dump(), **engine}))
        if use_ray:
            from trading_signals.distributed.walkforward import run_walk_forward_ray

            res = run_walk_forward_ray(prices, windows, strategy=strategy, engine=engine, store=store)
        else:
            res = run_walk_forward(prices, windows, strategy=strategy, engine=engine, store=store)
        write_frame_atomic(res.returns.to_frame("return"), wdir / "returns.parquet")
        write_frame_atomic(res.windows.reset_index(drop=True), wdir / "windows.parquet")
        out[sym] = {"windows": len(windows), **{f"oos_{k2}": v for k2, v in res.metrics.items()
                                                 if k2 in ("total_return", "sharpe", "max_drawdown")},
                    **res.overfitting}
    notify("walkforward", len(wanted), len(wanted))
    return out


def _montecarlo(cfg: RunConfig, run_dir: Path, portfolios: dict[str, dict[str, Any]], use_ray: bool,
                notify: OnStage) -> dict[str, Any]:
    mc = cfg.risk.montecarlo
    out: dict[str, Any] = {}
    for k, (name, p) in enumerate(sorted(portfolios.items())):
        notify("montecarlo", k, len(portfolios))
        returns = p["returns"].to_numpy()[1:]
        kwargs = dict(model=mc.model, n_paths=mc.n_paths, horizon=mc.horizon, seed=mc.seed,
                      mean_block=mc.mean_block)
        if use_ray:
            from trading_signals.distributed.montecarlo import run_montecarlo_ray

            res = run_montecarlo_ray(returns, **kwargs)  # type: ignore[arg-type]
        else:
            res = run_montecarlo(returns, **kwargs)  # type: ignore[arg-type]
        write_frame_atomic(res.fan, run_dir / "montecarlo" / name / "fan.parquet")
        out[name] = res.summary
    notify("montecarlo", len(portfolios), len(portfolios))
    return out
