"""``tsig data update SYMBOLS --source remote|files``: append only new bars through the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trading_signals.cli._output import console, print_json, table, user_errors
from trading_signals.cli._validate import output_dir


def update_cmd(
    symbols: Annotated[list[str], typer.Argument(help="Symbols to update (comma or space separated).")],
    source: Annotated[str, typer.Option("--source", help="remote (provider chain) or files.")] = "remote",
    path: Annotated[list[Path] | None, typer.Option("--path", help="files: CSV/Parquet files or directories.")] = None,
    lake: Annotated[str, typer.Option("--lake", help="Lake root: a directory or URI (s3://, gs://, file://).",
                                      callback=output_dir)] = "lake",
    timeframe: Annotated[str, typer.Option("--timeframe", help="Bar timeframe.")] = "1d",
    lookback_days: Annotated[int, typer.Option(
        "--lookback-days", min=0, help="remote: refetch this many days before the last bar to "
        "check them against the lake.")] = 7,
    end: Annotated[str | None, typer.Option("--end", help="remote: last date (default: today).")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Run config YAML (data.gate, remote).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON report.")] = False,
) -> None:
    """Append bars newer than each symbol's last lake bar; a rerun adds nothing.

    Exit 0 when clean, 1 when rows were quarantined or conflicted with the lake, 2 on errors.
    """
    from trading_signals.data.update import append_new_bars

    names = [s.strip() for item in symbols for s in item.split(",") if s.strip()]
    with user_errors():
        inputs = _inputs(source, names, paths=path or [], lake=lake, timeframe=timeframe,
                         lookback_days=lookback_days, end=end, config=config)
        gate = _gate(config)
        report = append_new_bars(inputs, lake=lake, timeframe=timeframe, config=gate)
    if as_json:
        print_json(report.to_dict())
    else:
        rows = [(s.symbol, s.last_before or "-", s.last_after or "-", s.appended, s.duplicates,
                 s.conflicts, s.skipped_older) for s in report.symbols]
        console.print(table(f"update {source} -> {lake}", ["symbol", "last before", "last after",
                            "appended", "duplicates", "conflicts", "skipped older"], rows))
        for s in report.symbols:
            for ex in s.conflict_examples:
                console.print(f"conflict: {ex}", highlight=False)
        for q in report.quarantine_files:
            console.print(f"quarantined rows: {q}")
        console.print(f"appended {report.appended} bar(s); report: {report.report_path}")
    raise typer.Exit(0 if report.ok else 1)


def _gate(config: Path | None) -> Any:
    from trading_signals.config import load_config
    from trading_signals.config.data import GateConfig

    return load_config(config).data.gate if config is not None else GateConfig()


def _inputs(source: str, names: list[str], *, paths: list[Path], lake: str, timeframe: str,
            lookback_days: int, end: str | None, config: Path | None) -> list[Any]:
    from trading_signals.errors import DataError

    if not names:
        raise DataError("give at least one SYMBOL to update")
    if source == "files":
        from trading_signals.data.files import load_files

        if not paths:
            raise DataError("--source files needs --path FILE_OR_DIR (repeatable)")
        inputs = load_files(paths, symbol=names[0] if len(names) == 1 else None, timeframe=timeframe)
        # Rows of other symbols in the files are ignored: the update is limited to SYMBOLS.
        return [_only(i, set(names)) for i in inputs]
    if source == "remote":
        import pandas as pd

        from trading_signals.config import load_config
        from trading_signals.data.remote import fetch_remote
        from trading_signals.data.update import last_bars

        lasts = [t for t in last_bars(lake, names, timeframe=timeframe).values() if t is not None]
        start = (min(lasts) - pd.Timedelta(days=lookback_days)).date().isoformat() if lasts else None
        remote_cfg = load_config(config).remote if config is not None else None
        return list(fetch_remote(names, start=start, end=end, timeframe=timeframe, config=remote_cfg))
    raise DataError(f"--source {source!r}: use remote or files")


def _only(inp: Any, names: set[str]) -> Any:
    from dataclasses import replace

    frame = inp.frame
    cols = {str(c).lower(): c for c in frame.columns}
    if inp.symbol is None and "symbol" in cols:
        frame = frame[frame[cols["symbol"]].astype(str).isin(names)].reset_index(drop=True)
        return replace(inp, frame=frame)
    return inp


def register(app: typer.Typer) -> None:
    """Add ``update`` to the ``data`` group (registered by :mod:`trading_signals.cli.data`)."""
    for group in app.registered_groups:
        if group.name == "data" and group.typer_instance is not None:
            group.typer_instance.command("update")(update_cmd)
            return
    raise RuntimeError("cli.data must be registered before cli.data_update")
