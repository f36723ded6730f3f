"""``tsig data import|validate|ls|rules``: load bars through the quality gate into the lake."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trading_signals.cli._validate import output_dir
from trading_signals.cli._output import (
    JSON_OPTION,
    console,
    err_console,
    print_json,
    table,
    user_errors,
)

if TYPE_CHECKING:
    from trading_signals.config.data import GateConfig
    from trading_signals.data.gate_report import GateReport
    from trading_signals.data.raw import RawInput

SOURCES = ("sample", "synthetic", "files", "remote")
LakeOpt = Annotated[str, typer.Option("--lake", help="Lake root: a directory or URI (s3://, gs://, file://).",
                                       callback=output_dir)]
SymbolOpt = Annotated[str | None, typer.Option("--symbol", help="Symbol of files without one.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Run config YAML (data.gate).")]
_SHOWN_ISSUES = 12


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    data_app = typer.Typer(
        help="Import bars through the data-quality gate; inspect the lake.", no_args_is_help=True
    )
    data_app.command("import")(import_cmd)
    data_app.command("validate")(validate_cmd)
    data_app.command("ls")(ls_cmd)
    data_app.command("rules")(rules_cmd)
    app.add_typer(data_app, name="data")


def import_cmd(
    source: Annotated[str, typer.Argument(help="sample | synthetic | files | remote")],
    args: Annotated[
        list[str] | None, typer.Argument(help="files: paths; remote/sample: symbols")
    ] = None,
    lake: LakeOpt = "lake",
    timeframe: Annotated[
        str, typer.Option("--timeframe", help="Bar timeframe (1min ... 1mo).")
    ] = "1d",
    mode: Annotated[str, typer.Option("--mode", help=(
        "new: write partitions, refuse to change existing different bars; replace: overwrite "
        "them; merge: add only new bars."))] = "new",
    replace: Annotated[bool, typer.Option("--replace", help="Same as --mode replace.")] = False,
    symbol: SymbolOpt = None,
    adj_close: Annotated[
        bool, typer.Option("--adj-close", help="files: OHLC x AdjClose/Close.")
    ] = False,
    symbols: Annotated[int, typer.Option("--symbols", min=1, help="synthetic: number of symbols.")] = 20,
    bars: Annotated[int, typer.Option("--bars", min=2, help="synthetic: bars per symbol.")] = 2520,
    seed: Annotated[int, typer.Option("--seed", min=0, help="synthetic: RNG seed (>= 0).")] = 0,
    planted_ic: Annotated[float | None, typer.Option("--planted-ic", help="synthetic: IC.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="remote: first date.")] = None,
    end: Annotated[str | None, typer.Option("--end", help="remote: last date.")] = None,
    config: ConfigOpt = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import SOURCE through the gate into --lake; exit 1 if rows were quarantined, 2 on errors."""
    from trading_signals.data.importer import import_raw

    with user_errors():
        gate_cfg = _gate_config(config)
        inputs = _inputs(
            source,
            args or [],
            timeframe=timeframe,
            symbol=symbol,
            adj_close=adj_close,
            n_symbols=symbols,
            n_bars=bars,
            seed=seed,
            planted_ic=planted_ic,
            remote_config=_remote_config(config),
            start=start,
            end=end,
        )
        report = import_raw(inputs, lake=lake, timeframe=timeframe, config=gate_cfg,
                            mode="replace" if replace else mode)  # type: ignore[arg-type]
    if as_json:
        print_json(report.to_dict())
    else:
        _render_reports(report.inputs, title=f"import {source} -> {lake}")
        console.print(
            f"partitions written: {len(report.partitions)} under {lake}/ohlcv/timeframe=..."
        )
        for q in report.quarantine_files:
            console.print(f"quarantined rows: {q}")
        console.print(f"report: {report.report_path}")
        console.print(
            f"rows in {report.rows_in}, clean {report.rows_clean}, "
            f"quarantined {report.rows_quarantined}"
        )
    raise typer.Exit(0 if report.ok else 1)


def validate_cmd(
    paths: Annotated[list[Path], typer.Argument(help="CSV/Parquet files or directories.")],
    timeframe: Annotated[
        str, typer.Option("--timeframe", help="Bar timeframe of the files.")
    ] = "1d",
    symbol: SymbolOpt = None,
    config: ConfigOpt = None,
    as_json: bool = JSON_OPTION,
) -> None:
    """Check files with the gate (writes nothing). Exit 0 clean, 1 issues found, 2 unreadable."""
    from trading_signals.data.files import expand_paths, load_files
    from trading_signals.data.gate import run_gate
    from trading_signals.errors import SourceError

    with user_errors():
        gate_cfg = _gate_config(config)
        files = expand_paths(paths)
    reports, unreadable = [], []
    for f in files:
        try:
            (inp,) = load_files([f], symbol=symbol, timeframe=timeframe)
        except SourceError as exc:
            unreadable.append({"source": str(f), "error": str(exc)})
            continue
        reports.append(
            run_gate(
                inp.frame,
                source=inp.source,
                symbol=inp.symbol,
                timeframe=timeframe,
                config=gate_cfg,
            ).report
        )
    code = 2 if unreadable else (0 if all(r.ok for r in reports) else 1)
    if as_json:
        print_json(
            {"exit_code": code, "files": [r.to_dict() for r in reports], "unreadable": unreadable}
        )
    else:
        if reports:
            _render_reports(reports, title="validation")
        for u in unreadable:
            err_console.print(f"[bold red]cannot read[/] {u['error']}", highlight=False)
        console.print(
            "clean" if code == 0 else ("issues found" if code == 1 else "unreadable input")
        )
    raise typer.Exit(code)


def ls_cmd(lake: LakeOpt = "lake", as_json: bool = JSON_OPTION) -> None:
    """List the lake: timeframe, symbol, first/last bar and row count of every partition."""
    from trading_signals.data import storage
    from trading_signals.data.lake import describe_lake

    with user_errors():
        infos = describe_lake(lake)
    extras = {
        "quarantine_files": sum(len(storage.listdir(storage.join(lake, "quarantine", d), "*.parquet"))
                                for d in storage.subdirs(storage.join(lake, "quarantine"))),
        "import_reports": len(storage.listdir(storage.join(lake, "reports"), "import-*.json")),
    }
    rows = [
        {
            "timeframe": i.timeframe,
            "symbol": i.symbol,
            "start": i.start,
            "end": i.end,
            "rows": i.rows,
            "path": str(i.path),
        }
        for i in infos
    ]
    if as_json:
        print_json({"lake": str(lake), "partitions": rows, **extras})
        return
    if not rows:
        console.print(f"{lake}: no partitions; run `tsig data import sample --lake {lake}`")
        return
    cols = ["timeframe", "symbol", "start", "end", "rows"]
    console.print(table(f"lake {lake}", cols, [[r[c] for c in cols] for r in rows]))
    console.print(
        f"{len(rows)} partition(s); {extras['quarantine_files']} "
        f"quarantine file(s); {extras['import_reports']} import report(s)"
    )


def rules_cmd(as_json: bool = JSON_OPTION) -> None:
    """List every rule of the data-quality gate with its severity."""
    from trading_signals.data.gate_report import RULES

    if as_json:
        print_json([{"rule": r, "severity": s, "meaning": m} for r, (s, m) in RULES.items()])
        return
    console.print(
        table(
            "data-quality gate rules",
            ["rule", "severity", "meaning"],
            [(r, s, m) for r, (s, m) in RULES.items()],
        )
    )


def _gate_config(path: Path | None) -> GateConfig:
    from trading_signals.config import load_config
    from trading_signals.config.data import GateConfig

    return load_config(path).data.gate if path is not None else GateConfig()


def _remote_config(path: Path | None) -> Any:
    from trading_signals.config import load_config

    return load_config(path).remote if path is not None else None


def _inputs(source: str, args: list[str], *, timeframe: str, **opts: Any) -> list[RawInput]:
    from trading_signals.errors import DataError

    if source == "files":
        from trading_signals.data.files import load_files

        if not args:
            raise DataError("`tsig data import files` needs at least one PATH (file or directory)")
        return load_files(
            args, symbol=opts["symbol"], adj_close=opts["adj_close"], timeframe=timeframe
        )
    if source == "sample":
        from trading_signals.data.sample import load_sample

        return list(load_sample(args or None))
    if source == "synthetic":
        return _synthetic_inputs(timeframe=timeframe, **opts)
    if source == "remote":
        from trading_signals.data.remote import fetch_remote

        if not args:
            raise DataError("`tsig data import remote` needs at least one SYMBOL")
        return list(fetch_remote(args, start=opts["start"], end=opts["end"], timeframe=timeframe,
                                 config=opts.get("remote_config")))
    raise DataError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")


def _synthetic_inputs(
    *, timeframe: str, n_symbols: int, n_bars: int, seed: int, planted_ic: float | None, **_: Any
) -> list[RawInput]:
    from trading_signals.data.raw import RawInput
    from trading_signals.data.synthetic import generate_universe

    uni = generate_universe(
        n_symbols, n_bars, seed=seed, planted_ic=planted_ic, timeframe=timeframe
    )
    label = f"synthetic:seed={seed}"
    # Canonical already, but still gated: as raw frames with a timestamp column.
    return [
        RawInput(source=f"{label}:{s}", symbol=s, frame=f.reset_index(), timeframe=timeframe)
        for s, f in uni.bars.items()
    ]


def _render_reports(reports: list[GateReport], *, title: str) -> None:
    rows = []
    for r in reports:
        counts = {
            sev: sum(1 for i in r.issues if i.severity == sev)
            for sev in ("error", "warning", "info")
        }
        rows.append(
            [
                r.source,
                ",".join(r.symbols) or "-",
                r.rows_in,
                r.rows_clean,
                r.rows_quarantined,
                counts["error"],
                counts["warning"],
                counts["info"],
            ]
        )
    console.print(
        table(
            title,
            ["source", "symbols", "rows_in", "clean", "quarantined", "errors", "warnings", "info"],
            rows,
        )
    )
    shown = [i for r in reports for i in r.issues if i.severity != "info"]
    if shown:
        issue_rows = [[i.severity, i.rule, _where(i), i.message] for i in shown[:_SHOWN_ISSUES]]
        console.print(table("issues", ["severity", "rule", "row", "message"], issue_rows))
        if len(shown) > _SHOWN_ISSUES:
            console.print(f"... {len(shown) - _SHOWN_ISSUES} more issue(s): use --json for all")


def _where(issue: Any) -> str:
    if issue.row is None:
        return "-"
    return f"{issue.row}-{issue.row_end}" if issue.row_end is not None else str(issue.row)
