"""Shared output helpers: Rich tables for people, ``--json`` for scripts, clean error exits."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from trading_signals.errors import TradingSignalsError

# Pipes and CI logs get a wide console instead of Rich's 80-column fallback.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)

JSON_OPTION = typer.Option(False, "--json", help="Print a machine-readable JSON document instead of tables.")


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas/pathlib values into JSON-safe builtins (NaN and inf become null)."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return to_jsonable(obj.reset_index().to_dict(orient="records"))
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, (pd.Timestamp, datetime, date)):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump(mode="json"))
    return obj


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, sort_keys=False) + "\n")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(str(c), overflow="fold")
    for r in rows:
        t.add_row(*(_fmt(v) for v in r))
    return t


def kv_table(title: str, mapping: Mapping[str, Any]) -> Table:
    return table(title, ["key", "value"], [(k, v) for k, v in mapping.items()])


def emit(payload: Any, *, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print ``payload`` as JSON when ``as_json``, else call ``render(payload)``."""
    if as_json:
        print_json(payload)
    else:
        render(payload)


@contextmanager
def user_errors(exit_code: int = 2) -> Iterator[None]:
    """Turn :class:`TradingSignalsError` into a one-paragraph message and a non-zero exit."""
    try:
        yield
    except TradingSignalsError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(exit_code) from exc


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        return f"{v:,.4f}" if abs(v) < 1e6 else f"{v:,.0f}"
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return str(v)
