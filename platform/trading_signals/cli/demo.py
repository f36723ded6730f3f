"""``tsig demo``: the README's first command: the whole study on the embedded default."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, print_json, table, user_errors
from trading_signals.cli._validate import output_dir
from trading_signals.config import RunConfig, load_config
from trading_signals.config.study import StudyConfig, UniverseConfig

STAGES = ("import", "features", "signals", "portfolio", "walkforward", "montecarlo")


def demo_config(*, synthetic: int, lake: str | Path, runs: str | Path, replace: bool = False,
                model: str | None = "train") -> RunConfig:
    """The embedded default: packaged S&P 500 + NASDAQ plus ``synthetic`` seeded symbols.

    ``model="train"`` fits a small seeded LightGBM on the universe's training window and lets
    it fill the signals' model component point-in-time (bars after its window only).
    """
    return RunConfig(
        name="demo",
        data={"lake": str(lake), "replace": replace},  # type: ignore[arg-type]
        study=StudyConfig(universe=UniverseConfig(sample=True, synthetic_symbols=synthetic),
                          runs=str(runs), model=model),
    )


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        synthetic: int = typer.Option(200, "--synthetic", min=0, max=100_000, help="Seeded synthetic symbols added to the sample data."),
        config: Path | None = typer.Option(None, "--config", help="Run this YAML config instead of the embedded default."),
        lake: str = typer.Option("lake", "--lake", help="Lake root: a path or URI (s3://bucket/lake).",
                                 callback=output_dir),
        runs: str = typer.Option("runs", "--runs", help="Root of run outputs: a path or URI.",
                                 callback=output_dir),
        replace: bool = typer.Option(False, "--replace", help="Overwrite lake partitions that hold different bars (default: refuse)."),
        model: bool = typer.Option(True, "--model/--no-model", help="Train a small LightGBM on the training window and use it in the signals."),
        use_ray: bool = typer.Option(True, "--ray/--serial", help="Run on Ray (local unless RAY_ADDRESS) or serially."),
        address: str | None = typer.Option(None, "--address"),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Run the whole study: gate -> features -> signals -> portfolio -> walk-forward -> Monte Carlo."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from trading_signals.cli._executor import make_executor
        from trading_signals.workflow.study import run_study

        with user_errors():
            cfg = load_config(config) if config else demo_config(
                synthetic=synthetic, lake=lake, runs=runs, replace=replace,
                model="train" if model else None)
            if replace and not cfg.data.replace:
                cfg = cfg.model_copy(update={"data": cfg.data.model_copy(update={"replace": True})})
            progress = Progress(TextColumn("{task.description:12s}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=console, disable=as_json)
            tasks: dict[str, Any] = {}
            with progress:
                def on_stage(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = progress.add_task(stage, total=max(total, 1))
                    progress.update(tasks[stage], completed=done, total=max(total, 1))

                result = run_study(cfg, make_executor(use_ray, address), on_stage=on_stage)
        from trading_signals.report.run_report import try_write_run_report

        report, why = try_write_run_report(result.run_dir)
        if as_json:
            print_json({**result.summary, "report": None if report is None else str(report)})
            return
        _render(result.summary)
        console.print(f"[bold]run report:[/] {report}" if report else f"run report not written: {why}")


def _render(s: dict[str, Any]) -> None:
    d = s["data"]
    console.print(table("data (through the quality gate)", ["symbols", "rows in", "clean", "quarantined", "lake"],
                        [[d["symbols"], d.get("rows_in"), d.get("rows_clean"), d.get("rows_quarantined"), d["lake"]]]))
    if d.get("issues_by_rule"):
        console.print(f"gate issues by rule (see the import report): {d['issues_by_rule']}")
    latest = s["signals"]["latest"]
    shown = [k for k in latest if not k.startswith("SYN")] or list(latest)[:3]
    console.print(table("latest confluence signal", ["symbol", "signal", "score", "explanation"],
                        [[k, latest[k]["signal"], latest[k]["confluence_score"], latest[k]["explanation"]]
                         for k in shown]))
    counts = Counter(v["signal"] for k, v in latest.items() if k.startswith("SYN"))
    if counts:
        console.print(f"synthetic universe, latest labels: {dict(sorted(counts.items(), key=str))}")
    cols = ["total_return", "annual_return", "sharpe", "max_drawdown", "n_trades"]
    console.print(table("portfolio backtests (confluence, next-open fills, costs)", ["portfolio", "symbols", *cols],
                        [[k, v.get("symbols"), *[v.get(c) for c in cols]] for k, v in s["portfolios"].items()]))
    wf = s.get("walkforward", {})
    if wf:
        console.print(table(f"walk-forward ({s.get('walkforward_strategy', 'sma_cross')} search per window, "
                            "out of sample)",
                            ["symbol", "windows", "oos_sharpe", "oos_max_drawdown", "oos_psr", "deflated_sharpe"],
                            [[k, v["windows"], v.get("oos_sharpe"), v.get("oos_max_drawdown"), v.get("oos_psr"),
                              v.get("deflated_sharpe")] for k, v in wf.items()]))
    mc = s.get("montecarlo", {})
    if mc:
        cols = ["var_95", "cvar_95", "var_99", "prob_loss", "max_drawdown_p95"]
        console.print(table("Monte Carlo (horizon returns; losses positive)", ["portfolio", *cols],
                            [[k, *[v.get(c) for c in cols]] for k, v in mc.items()]))
    if s["signals"].get("model"):
        console.print(f"model component: {s['signals']['model']} (point-in-time: scores only bars after "
                      "its training window)")
    reused = " (finished run with the same config and data: reused)" if s.get("reused") else ""
    start = s.get("executor_start_seconds") or 0.0
    started = f" (+ {start:.1f} s to start {s.get('executor', 'the executor')})" if start >= 0.05 else ""
    console.print(f"stage seconds: {s['seconds']}{started}{reused}")
    console.print(f"[bold]outputs:[/] {s['run_dir']}  (summary.json, portfolio/, walkforward/, montecarlo/, "
                  f"features/, signals/); lake: {d['lake']}; import report: {d.get('report')}")
