"""A resumable on-disk store of finished work items (walk-forward windows, study stages).

``<dir>/study.json`` holds the study fingerprint; item ``k`` is ``<dir>/item=<k>/frame.parquet``
plus ``meta.json``, each written atomically, the JSON last: an item counts as done only when
both files are complete, so a crash mid-write just reruns that item. ``<dir>`` is any storage
location (local path or ``s3://``/``gs://`` URI), so a study resumed on another node finds the
items finished before.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from trading_signals.data import storage
from trading_signals.data.lake import atomic_write_table, child
from trading_signals.data.runs import write_json_atomic
from trading_signals.errors import ConfigError


def fingerprint(frame: pd.DataFrame, payload: dict[str, Any]) -> str:
    """Hash a data frame (values and index) and a JSON-able definition of the work."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    h.update(json.dumps(payload, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


class CheckpointStore:
    """Finished items of one study, keyed by integer."""

    def __init__(self, directory: str | Path, study_fingerprint: str) -> None:
        self.directory: Path | str = child(directory)
        storage.makedirs(self.directory)
        meta = child(self.directory, "study.json")
        if storage.is_file(meta):
            found = json.loads(storage.read_text(meta)).get("fingerprint")
            if found != study_fingerprint:
                raise ConfigError(
                    f"{self.directory} holds another study (fingerprint {found}, this one "
                    f"{study_fingerprint}); choose another output directory or delete it to start fresh"
                )
        else:
            write_json_atomic({"fingerprint": study_fingerprint}, meta)

    def save(self, key: int, meta: dict[str, Any], frame: pd.DataFrame) -> None:
        """Persist item ``key``: a frame (index kept as a column) and its JSON metadata."""
        item = child(self.directory, f"item={key}")
        table = pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
        atomic_write_table(table, child(item, "frame.parquet"))
        write_json_atomic(meta, child(item, "meta.json"))

    def load_all(self) -> dict[int, tuple[dict[str, Any], pd.DataFrame]]:
        """Return every complete item as ``{key: (meta, frame)}``; partial items are skipped."""
        out: dict[int, tuple[dict[str, Any], pd.DataFrame]] = {}
        for name in storage.listdir(self.directory, "item=*"):
            files = storage.listdir(child(self.directory, name))
            if "meta.json" in files and "frame.parquet" in files:
                item = child(self.directory, name)
                frame = storage.read_table(child(item, "frame.parquet")).to_pandas()
                frame = frame.set_index(frame.columns[0])
                out[int(name.split("=", 1)[1])] = (json.loads(storage.read_text(child(item, "meta.json"))), frame)
        return out
