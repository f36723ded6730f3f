"""One run-id scheme for every output: config section + fingerprint of the input data.

``run_id(section, data_fingerprint)`` names a run directory; the same command on different
lakes gets different ids, and a run directory is never overwritten with different content:
:func:`open_run` records a manifest (``run.json``) and refuses a directory that holds another
run, and :func:`finish_run` refuses to replace a finished summary with different results.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from trading_signals.config import config_id
from trading_signals.data import storage
from trading_signals.data.fingerprint import (  # noqa: F401 - re-exported: one scheme for all
    data_fingerprint,
    file_digest,
    lake_fingerprint,
)
from trading_signals.data.runs import jsonable, write_json_atomic
from trading_signals.errors import ConfigError, DataError

MANIFEST = "run.json"
SUMMARY = "summary.json"
# Keys of a summary that may differ between two runs of the same id (timings, locations).
VOLATILE_KEYS = frozenset({"seconds", "run_dir", "reused", "outputs", "executor",
                           "executor_start_seconds"})


def run_id(section: BaseModel, data_fingerprint: str) -> str:
    """Return ``<config id>-<first 8 hex of the data fingerprint>``.

    >>> from trading_signals.config.risk import MonteCarloConfig
    >>> rid = run_id(MonteCarloConfig(), "0123456789abcdef")
    >>> len(rid), rid.endswith("-01234567")
    (21, True)
    """
    if not data_fingerprint or not all(c in "0123456789abcdef" for c in data_fingerprint):
        raise ConfigError(f"data fingerprint {data_fingerprint!r} must be hex digits")
    return f"{config_id(section)}-{data_fingerprint[:8]}"


def open_run(root: str, rid: str, manifest: Mapping[str, Any], *parts: str) -> str:
    """Return the run directory ``root/rid[/parts]`` after checking or writing its manifest.

    Raises
    ------
    ConfigError
        If the directory holds a manifest of another run (different config or data).
    """
    if not rid or any(sep in rid for sep in ("/", "\\", "..")):
        raise DataError(f"run id {rid!r} is not a safe directory name")
    base = storage.join(root, rid, *parts)
    where = storage.join(base, MANIFEST)
    wanted = jsonable(manifest)
    if storage.exists(where):
        found = json.loads(storage.read_text(where))
        if found != wanted:
            diff = sorted(k for k in set(found) | set(wanted) if found.get(k) != wanted.get(k))
            raise ConfigError(
                f"{base} holds another run (its {MANIFEST} differs in {diff}); refusing to mix "
                "outputs: choose another output root or delete that directory")
    else:
        write_json_atomic(wanted, where)
    return base


def finished_summary(run_dir: str) -> dict[str, Any] | None:
    """Return the summary of a finished run in ``run_dir``, or None."""
    where = storage.join(run_dir, SUMMARY)
    return json.loads(storage.read_text(where)) if storage.exists(where) else None


def finish_run(run_dir: str, summary: Mapping[str, Any]) -> str:
    """Write ``summary.json`` (the run's done marker); never replace different results.

    Raises
    ------
    DataError
        If a finished summary with other results is already there (the same inputs gave other
        outputs: a non-deterministic stage or a manual edit); nothing is overwritten.
    """
    clean = jsonable(summary)
    old = finished_summary(run_dir)
    if old is not None and _stable(old) != _stable(clean):
        keys = sorted(k for k in set(old) | set(clean)
                      if k not in VOLATILE_KEYS and old.get(k) != clean.get(k))
        raise DataError(f"{run_dir} already holds a finished run whose results differ in {keys}; "
                        "not overwriting it (delete the directory to recompute)")
    return str(write_json_atomic(clean, storage.join(run_dir, SUMMARY)))


def _stable(summary: Mapping[str, Any]) -> str:
    body = {k: v for k, v in summary.items() if k not in VOLATILE_KEYS}
    return json.dumps(body, sort_keys=True, default=str)
