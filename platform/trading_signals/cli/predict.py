"""``tsig predict MODEL_ID``: point-in-time predictions of a registered model for lake symbols.

Writes ``<out>/predictions/model=<name>__<version>/timeframe=<tf>/symbol=<SYM>/part-0000.parquet``
(columns ``prediction``, ``score`` in [0, 1] as the signal's model component sees it, and
``model_id``: the version that scored the bar) and ``summary.json`` next to the partitions. The
``timeframe=<tf>`` directory carries a table manifest (docs/data.md): predictions made with other
versions or ``--history`` settings are refused there (exit 2) unless ``--replace``.
"""

from __future__ import annotations

from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, emit, table, user_errors
from trading_signals.cli._validate import output_dir


def predict_command(
    model_id: str = typer.Argument(..., help="name/vNNNN, or a name for its latest version."),
    lake: str = typer.Option(..., "--lake", help="OHLCV lake directory (or URI).", callback=output_dir),
    symbols: list[str] | None = typer.Option(
        None, "--symbols", help="Symbols (repeat or comma-separate); default: all in the lake."),
    timeframe: str = typer.Option("1d", "--timeframe", help="Bar timeframe to read."),
    out: str | None = typer.Option(None, "--out", help="Write per-symbol Parquet + summary.json here.",
                                   callback=output_dir),
    registry: str = typer.Option("artifacts/models", "--registry", help="Model registry directory."),
    history: bool = typer.Option(
        True, "--history/--no-history",
        help="Let earlier versions of the model score bars before this version's window ended."),
    replace: bool = typer.Option(False, "--replace", help="With --out: delete predictions of "
                                 "other settings (or of an older version) for this model first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Predict every bar with a model trained before it (NaN before its training window ended)."""
    with user_errors():
        payload = run_predict(model_id, lake=lake, symbols=_split(symbols), timeframe=timeframe,
                              out=out, registry=registry, history=history, replace=replace)
    emit(payload, as_json=as_json, render=_render)


def run_predict(model_id: str, *, lake: str, symbols: list[str], timeframe: str, out: str | None,
                registry: str, history: bool = True, replace: bool = False) -> dict[str, Any]:
    """Predict ``symbols`` of ``lake`` with ``model_id``; write them under ``out`` if given."""
    from trading_signals.data.lake import PART_NAME, child, list_symbols, read_bars
    from trading_signals.data.runs import write_frame_atomic, write_json_atomic
    from trading_signals.data.schema import check_symbol, check_timeframe
    from trading_signals.errors import DataError
    from trading_signals.models.pit import model_component_for

    check_timeframe(timeframe)
    comp = model_component_for(model_id, registry, history=history, timeframe=timeframe)
    names = symbols or list_symbols(lake, timeframe=timeframe)
    if not names:
        raise DataError(f"no {timeframe} symbols in the lake {lake}; import bars first (`tsig data import`)")
    newest = comp.versions[-1].model_id
    base = None if out is None else child(out, "predictions", f"model={newest.replace('/', '__')}")
    table_ = None if out is None else _prepare_table(
        out, newest, [v.model_id for v in comp.versions], history, timeframe, replace)
    written: dict[str, dict[str, Any]] = {}
    rows = []
    for sym in names:
        check_symbol(sym)
        frame = comp.predictions(read_bars(lake, symbol=sym, timeframe=timeframe))
        scored = frame["prediction"].dropna()
        row: dict[str, Any] = {
            "symbol": sym, "bars": len(frame), "scored": len(scored),
            "first_scored": scored.index[0] if len(scored) else None,
            "last_bar": frame.index[-1] if len(frame) else None,
            "last_prediction": float(frame["prediction"].iloc[-1]) if len(frame) else None,
            "last_score": float(frame["score"].iloc[-1]) if len(frame) else None,
            "last_model_id": frame["model_id"].iloc[-1] if len(frame) else None,
        }
        if base is not None and table_ is not None:
            target = child(base, f"timeframe={timeframe}", f"symbol={sym}", PART_NAME)
            written[sym] = _check_partition(table_, frame, lake, sym, timeframe, str(target))
            row["path"] = str(write_frame_atomic(frame.rename_axis("timestamp"), target))
        rows.append(row)
    if table_ is not None and written:
        from trading_signals.data.table_manifest import record_symbols

        record_symbols(str(out), table_[0], written, table_[2])
    payload = {"model_id": newest, "versions": [v.model_id for v in comp.versions],
               "train_end": comp.versions[-1].train_end, "purge_bars": comp.versions[-1].purge,
               "timeframe": timeframe, "symbols": rows}
    if base is not None:
        payload["summary"] = str(write_json_atomic(payload, child(base, "summary.json")))
    return payload


def _prepare_table(out: str, newest: str, versions: list[str], history: bool, timeframe: str,
                   replace: bool) -> list[Any]:
    import hashlib
    import json

    from trading_signals.data.table_manifest import new_manifest, prepare_write

    settings = {"model_id": newest, "versions": versions, "history": history}
    cid = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    wanted = new_manifest(f"predictions/model={newest.replace('/', '__')}", timeframe, settings,
                          cid, None)
    return [wanted, prepare_write(str(out), wanted, replace=replace), None]


def _check_partition(table_: list[Any], frame: Any, lake: str, sym: str, timeframe: str,
                     where: str) -> dict[str, Any]:
    # Refuse a partition whose columns differ from the table's, before writing it; return what
    # the manifest records for the symbol (its bars' digests, rows).
    import pyarrow as pa

    from trading_signals.data.fingerprint import input_digests
    from trading_signals.data.lake import partition_files
    from trading_signals.data.table_manifest import arrow_columns, check_partition

    columns = arrow_columns(pa.Schema.from_pandas(frame.rename_axis("timestamp"), preserve_index=True))
    check_partition({"columns": table_[1].get("columns") or table_[2]}, columns, where=where)
    table_[2] = table_[2] or columns
    bars = [str(f) for f in partition_files(lake, timeframe=timeframe, symbols=[sym])]
    return {"inputs": input_digests(bars, root=lake), "rows": len(frame)}


def _split(symbols: list[str] | None) -> list[str]:
    return [s.strip() for item in symbols or [] for s in item.split(",") if s.strip()]


def _render(p: dict[str, Any]) -> None:
    console.print(f"[bold]{p['model_id']}[/] (training ended {str(p['train_end'])[:19]}, purge "
                  f"{p['purge_bars']} bars; versions used: {', '.join(p['versions'])})", highlight=False)
    cols = ["symbol", "bars", "scored", "first_scored", "last_prediction", "last_score", "last_model_id"]
    console.print(table("point-in-time predictions", cols,
                        [[str(r[c])[:10] if c == "first_scored" else r[c] for c in cols]
                         for r in p["symbols"]]))
    if "summary" in p:
        console.print(f"written: {len(p['symbols'])} partition(s) and {p['summary']}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("predict")(predict_command)
