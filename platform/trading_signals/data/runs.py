"""Run directories (``<root>/<config_id>/<stage>/``) and atomic writes of frames and JSON."""

from __future__ import annotations

import json
import math
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from trading_signals.data.lake import atomic_write_table
from trading_signals.errors import DataError


def run_dir(root: str | Path, config_id: str, *stage: str) -> Path:
    """Return (and create) ``root/config_id[/stage...]``.

    >>> run_dir("/tmp/tsig-doc-runs", "abc123", "backtest").parts[-2:]
    ('abc123', 'backtest')
    """
    if not config_id or any(sep in config_id for sep in ("/", "\\", "..")):
        raise DataError(f"run id {config_id!r} is not a safe directory name")
    path = Path(root, config_id, *stage)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_frame_atomic(frame: pd.DataFrame | pd.Series, path: str | Path) -> Path:
    """Write ``frame`` (index kept as columns) to Parquet atomically (temp file + ``os.replace``)."""
    data = frame.to_frame() if isinstance(frame, pd.Series) else frame
    table = pa.Table.from_pandas(data, preserve_index=True)
    return atomic_write_table(table, Path(path))


def write_json_atomic(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as indented JSON atomically (NaN/inf become null via ``default``/cleaning)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(json.dumps(_clean(obj), indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        try:
            obj = obj.item()
        except (TypeError, ValueError):
            return str(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
