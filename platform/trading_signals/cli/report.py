"""``tsig report SYMBOL --as-of D``: research report; ``tsig report run RUN_DIR``: run report."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from trading_signals.cli._output import JSON_OPTION, console, err_console, print_json, user_errors


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("report")(report_cmd)


def report_cmd(
    target: str = typer.Argument(..., help="SYMBOL for a research report, or the word 'run'."),
    run_dir: str | None = typer.Argument(None, help="With 'run': the run directory (path or s3://, gs://, file:// URI)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Report date (UTC; a date = end of day). Required for SYMBOL."),
    html: bool = typer.Option(False, "--html", help="Also write a self-contained HTML page."),
    lake: str | None = typer.Option(None, "--lake", help="OHLCV lake, path or URI (default: packaged sample / demo synthetic bars)."),
    store: str | None = typer.Option(None, "--store", help="Research store (see `tsig rag`)."),
    fundamentals: Path | None = typer.Option(None, "--fundamentals", help="Local JSON file: an object of figures to include verbatim."),
    out: str | None = typer.Option(None, "--out", help="Research report: output directory, path or URI (default: reports). "
                                   "With 'run': the report file, path or URI (default: RUN_DIR/report.html)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a research report on SYMBOL as of --as-of (Markdown, optional HTML, sources), or
    `tsig report run RUN_DIR` for the HTML report of a backtest run."""
    if target == "run":
        _run_report(run_dir, out)
        return
    if run_dir is not None:
        raise typer.BadParameter(f"unexpected argument {run_dir}; did you mean `tsig report run {run_dir}`?")
    if as_of is None:
        raise typer.BadParameter("--as-of is required for a research report (e.g. --as-of 2018-06-29)")
    from trading_signals.data import storage
    from trading_signals.research.report import load_bars, report_file_names, write_report
    with user_errors():
        figures = _fundamentals(fundamentals)
        bars = load_bars(target, lake=lake)
        report = write_report(target, as_of, store=_store_or_none(store), bars=bars,
                              fundamentals=figures)
        md_name, html_name = report_file_names(target, report.as_of)
        folder = out or "reports"
        paths = {"markdown": storage.write_text_atomic(storage.join(folder, md_name), report.markdown)}
        if html:
            paths["html"] = storage.write_text_atomic(storage.join(folder, html_name), report.html())
    if as_json:
        print_json({**report.as_dict(), "paths": paths})
        return
    console.print(report.markdown, markup=False, highlight=False)
    for kind, p in paths.items():
        console.print(f"{kind}: {p}")
    if report.metadata["flagged"]:
        err_console.print(f"warning: figures not found in the context: "
                          f"{report.metadata['unsupported_figures']}; citations to no passage: "
                          f"{report.metadata['bad_citations']}")


def _store_or_none(location: str | None) -> object:
    from trading_signals.errors import ConfigError
    from trading_signals.research.stores import open_store

    try:
        return open_store(location, must_exist=True)
    except ConfigError as exc:
        err_console.print(f"warning: {exc}; writing a figures-only report (no passages)")
        return None


def _fundamentals(path: Path | None) -> dict[str, object] | None:
    from trading_signals.errors import DataError

    if path is None:
        return None
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"--fundamentals {path}: cannot read a JSON object ({exc})") from exc
    if not isinstance(obj, dict):
        raise DataError(f"--fundamentals {path}: expected a JSON object of label -> value")
    return obj


def _run_report(run_dir: str | None, out: str | None) -> None:
    if run_dir is None:
        raise typer.BadParameter("usage: tsig report run RUN_DIR")
    try:
        from trading_signals.report.run_report import write_run_report
    except ImportError as exc:
        err_console.print("error: the run report (trading_signals.report.run_report) is not "
                          f"available in this installation ({exc})")
        raise typer.Exit(2) from exc
    with user_errors():
        path = write_run_report(run_dir) if out is None else write_run_report(run_dir, out)
    console.print(f"run report: {path}")
