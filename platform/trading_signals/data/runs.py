"""Run directories (``<root>/<config_id>/<stage>/``) and atomic writes of frames and JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from trading_signals.data import storage
from trading_signals.data.lake import child
from trading_signals.errors import DataError


def run_dir(root: str | Path, config_id: str, *stage: str) -> Path:
    """Return (and create) ``root/config_id[/stage...]``.

    >>> run_dir("/tmp/tsig-doc-runs", "abc123", "backtest").parts[-2:]
    ('abc123', 'backtest')
    """
    if not config_id or any(sep in config_id for sep in ("/", "\\", "..")):
        raise DataError(f"run id {config_id!r} is not a safe directory name")
    path = child(root, config_id, *stage)  # a Path locally, a str URI on object stores
    storage.makedirs(path)
    return path  # type: ignore[return-value]


def write_frame_atomic(frame: pd.DataFrame | pd.Series, path: str | Path) -> Path:
    """Write ``frame`` (index kept as columns) to Parquet atomically.

    ``path`` is any storage location: a local path (temp file + ``os.replace``) or an
    object-store URI (one complete-object upload). Returns a ``Path`` for local locations and
    the ``str`` URI otherwise.
    """
    data = frame.to_frame() if isinstance(frame, pd.Series) else frame
    table = pa.Table.from_pandas(data, preserve_index=True)
    storage.write_table_atomic(table, path)
    return _returned(path)


def write_json_atomic(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as indented JSON atomically (NaN/inf become null via ``default``/cleaning).

    ``path`` is any storage location (see :func:`write_frame_atomic`).
    """
    storage.write_text_atomic(path, json.dumps(jsonable(obj), indent=2) + "\n")
    return _returned(path)


def _returned(path: str | Path) -> Path:
    # Local callers keep getting a Path (they may use .read_text(), .parent...); URIs stay str.
    return path if storage.is_remote(path) else Path(storage.local_path(path))  # type: ignore[return-value]


def jsonable(obj: Any) -> Any:
    """Return ``obj`` as it reads back from JSON (non-finite floats -> None, numpy -> builtins)."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        try:
            obj = obj.item()
        except (TypeError, ValueError):
            return str(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    return str(obj)
