"""Manifests of output tables: one schema, one producing config, known inputs per directory.

An output table written as a directory of partitions (``<out>/features/timeframe=<tf>/`` and
``<out>/signals/timeframe=<tf>/``, one ``symbol=<SYM>/part-0000.parquet`` each) carries a
``_manifest.json`` next to its partitions::

    {"format": 1, "table": "features", "timeframe": "1d",
     "config_id": "3f2a...", "config": {...the producing config section...},
     "columns": {"timestamp": "timestamp[ns, tz=UTC]", "sma_10": "double", ...},
     "data_fingerprint": "<16 hex over every symbol's input partitions>",
     "symbols": {"AAA": {"data_fingerprint": "...", "inputs": {"ohlcv/...": "<sha256>"},
                         "rows": 250}}}

Rules (checked by :func:`prepare_write` on the driver before any partition is written):

* a table with another producing config, timeframe or column set is refused, naming the
  directory and the difference (``columns differ: +rsi_21 -rsi_14``); write elsewhere or pass
  ``replace=True`` (``--replace``), which deletes the table first;
* the same config may add symbols (the manifest is updated atomically once they are written)
  and may re-write existing symbols from changed input data (their partitions are replaced and
  their fingerprints updated);
* partitions without a manifest (written by an older version) are refused unless ``replace``.

The fingerprint is the one run ids use (:mod:`trading_signals.data.fingerprint`). The name
starts with ``_`` so Arrow/Ray dataset discovery skips it. One writer per table at a time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from trading_signals.data import storage
from trading_signals.data.fingerprint import digests_fingerprint
from trading_signals.data.lake import PART_GLOB
from trading_signals.data.schema import check_timeframe
from trading_signals.errors import DataError

MANIFEST_NAME = "_manifest.json"
FORMAT = 1
Columns = dict[str, str]  # {name: Arrow type} in file order (JSON objects keep their order)


class TableMismatchError(DataError):
    """A write or read would mix two different tables in one directory."""


def table_dir(root: str, table: str, timeframe: str) -> str:
    """Return the table directory ``<root>/<table>/timeframe=<tf>`` (where the manifest lives)."""
    return storage.join(storage.as_str(root), table, f"timeframe={check_timeframe(timeframe)}")


def arrow_columns(schema: pa.Schema) -> Columns:
    """Return ``{name: type}`` of an Arrow schema, in order (the manifest's ``columns``)."""
    return {f.name: str(f.type) for f in schema}


def read_manifest(directory: str) -> dict[str, Any] | None:
    """Return the manifest of a table directory, or None when it has none."""
    where = storage.join(directory, MANIFEST_NAME)
    if not storage.is_file(where):
        return None
    try:
        found = json.loads(storage.read_text(where))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{where}: not a valid table manifest ({exc}); rebuild the table with "
                        "--replace") from exc
    if not isinstance(found, dict) or found.get("format") != FORMAT:
        raise DataError(f"{where}: unknown manifest format; rebuild the table with --replace")
    return found


def partition_symbols(directory: str) -> list[str]:
    """Return the symbols that have a partition file in a table directory."""
    return [d.split("=", 1)[1] for d in storage.listdir(directory, "symbol=*")
            if storage.listdir(storage.join(directory, d), PART_GLOB)]


def new_manifest(table: str, timeframe: str, config: Mapping[str, Any], config_id: str,
                 columns: Columns | None) -> dict[str, Any]:
    """Return the manifest of an empty table (no symbols yet)."""
    return {"format": FORMAT, "table": table, "timeframe": timeframe, "config_id": config_id,
            "config": json.loads(json.dumps(config, default=str)),
            "columns": None if columns is None else dict(columns),
            "data_fingerprint": None, "symbols": {}}


def mismatch(found: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """Describe how two manifests' table identity differs (empty when they agree)."""
    out = [f"{k}: {found.get(k)!r} here, {wanted.get(k)!r} wanted"
           for k in ("table", "timeframe") if found.get(k) != wanted.get(k)]
    if found.get("columns") is not None and wanted.get("columns") is not None:
        diff = columns_diff(found["columns"], wanted["columns"])
        if diff:
            out.append(f"columns differ: {diff}")
    if found.get("config_id") != wanted.get("config_id"):
        keys = _diff_keys(found.get("config"), wanted.get("config"))
        out.append(f"config differs in {', '.join(keys) or 'its content'} (config_id "
                   f"{found.get('config_id')} here, {wanted.get('config_id')} wanted)")
    return out


def columns_diff(found: Mapping[str, str], wanted: Mapping[str, str], *, limit: int = 12) -> str:
    """Return ``+new -old ~retyped`` between two column maps ('' when equal, incl. order)."""
    parts = [f"+{n}" for n in wanted if n not in found] + [f"-{n}" for n in found if n not in wanted]
    parts += [f"~{n} ({found[n]} -> {wanted[n]})" for n in wanted
              if n in found and found[n] != wanted[n]]
    if not parts and list(found) != list(wanted):
        parts.append("same names in another order")
    more = f" (and {len(parts) - limit} more)" if len(parts) > limit else ""
    return " ".join(parts[:limit]) + more


def _diff_keys(a: Any, b: Any, prefix: str = "") -> list[str]:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        keys: list[str] = []
        for k in sorted(set(a) | set(b)):
            keys += _diff_keys(a.get(k), b.get(k), f"{prefix}{k}.")
        return keys
    return [] if a == b else [prefix.rstrip(".") or "<root>"]


def _refuse(directory: str, problems: list[str], what: str, option: str = "--out",
            ) -> TableMismatchError:
    return TableMismatchError(
        f"{directory} holds a {what} table written differently: {'; '.join(problems)}. Refusing "
        f"to mix two tables in one directory (nothing was written): use a different {option}, "
        "or --replace to delete that table and write this one")


def prepare_write(root: str, wanted: Mapping[str, Any], *, replace: bool = False,
                  option: str = "--out") -> dict[str, Any]:
    """Check a table directory before a build writes into it; return the manifest to build on.

    Parameters
    ----------
    root
        Output root (the table is ``<root>/<table>/timeframe=<tf>/``).
    wanted
        :func:`new_manifest` of what the build will write (``columns`` None when unknown
        before computing: checked per partition and on :func:`record_symbols`).
    replace
        Delete an existing table (manifest first, then partitions) instead of refusing it.
    option
        The command-line option that chose ``root`` (named in the error).

    Raises
    ------
    TableMismatchError
        When the directory holds another table (config, timeframe or columns differ) or
        partitions without a manifest, and ``replace`` is False. Nothing is written then.
    """
    directory = table_dir(root, wanted["table"], wanted["timeframe"])
    found = read_manifest(directory)
    if replace:
        if found is not None or storage.exists(directory):
            # Manifest first: an interrupted delete leaves partitions without a manifest,
            # which the next write and every reader refuse, never a half-old table.
            storage.delete(storage.join(directory, MANIFEST_NAME))
            storage.delete(directory, recursive=True)
        found = None
    elif found is None:
        legacy = partition_symbols(directory) if storage.exists(directory) else []
        if legacy:
            raise TableMismatchError(
                f"{directory} holds {len(legacy)} {wanted['table']} partition(s) "
                f"({', '.join(legacy[:3])}{'...' if len(legacy) > 3 else ''}) but no "
                f"{MANIFEST_NAME} (written by an older version, or another tool): their config "
                f"and columns are unknown. Use a different {option}, or --replace to delete them "
                "and write this table")
    else:
        problems = mismatch(found, wanted)
        if problems:
            raise _refuse(directory, problems, wanted["table"], option)
    if found is None:
        found = dict(wanted)
        _write(directory, found)  # the table's identity is on disk before any partition
    return found


def forget_symbols(root: str, manifest: dict[str, Any], symbols: list[str]) -> dict[str, Any]:
    """Drop ``symbols`` from the manifest before their partitions are re-written (atomically).

    A build that stops half-way then leaves those symbols unrecorded (readers refuse them until
    the build is run again) instead of recorded with the fingerprints of their old inputs.
    """
    known = manifest.get("symbols") or {}
    stale = [s for s in symbols if s in known]
    if not stale:
        return manifest
    kept = {k: v for k, v in known.items() if k not in stale}
    everything = {n: d for e in kept.values() for n, d in e["inputs"].items()}
    updated = {**manifest, "symbols": kept,
               "data_fingerprint": digests_fingerprint(everything) if everything else None}
    _write(table_dir(root, manifest["table"], manifest["timeframe"]), updated)
    return updated


def check_partition(manifest: Mapping[str, Any], columns: Columns, *, where: str) -> None:
    """Raise before writing a partition whose columns differ from its table's manifest."""
    expected = manifest.get("columns")
    if expected is not None:
        diff = columns_diff(expected, columns)
        if diff:
            raise TableMismatchError(
                f"{where}: this partition's columns differ from the table manifest ({diff}); not "
                "written. Use a different --out, or --replace to rewrite the whole table")


def record_symbols(root: str, wanted: Mapping[str, Any], written: Mapping[str, Mapping[str, Any]],
                   columns: Columns | None = None) -> dict[str, Any]:
    """Add the symbols a build wrote (``{symbol: {inputs, rows}}``) to the manifest, atomically.

    The manifest is re-read just before the update, so symbols recorded meanwhile are kept.

    Raises
    ------
    TableMismatchError
        If the table changed identity during the build, or ``columns`` disagree with it.
    """
    directory = table_dir(root, wanted["table"], wanted["timeframe"])
    found = read_manifest(directory)
    if found is None:
        raise TableMismatchError(f"{directory}: its {MANIFEST_NAME} disappeared during the build "
                                 "(another writer?); rebuild the table with --replace")
    problems = mismatch(found, wanted)
    if problems:
        raise _refuse(directory, problems, wanted["table"])
    if columns is not None:
        if found.get("columns") is None:
            found["columns"] = dict(columns)
        else:
            check_partition(found, columns, where=directory)
    symbols = dict(found.get("symbols") or {})
    for sym, entry in sorted(written.items()):
        inputs = dict(entry.get("inputs") or {})
        symbols[sym] = {"data_fingerprint": digests_fingerprint(inputs), "inputs": inputs,
                        "rows": int(entry.get("rows", 0))}
    found["symbols"] = dict(sorted(symbols.items()))
    everything = {n: d for e in symbols.values() for n, d in e["inputs"].items()}
    found["data_fingerprint"] = digests_fingerprint(everything) if everything else None
    _write(directory, found)
    return found


def require_manifest(root: str, table: str, timeframe: str, *, symbol: str | None = None,
                     config_id: str | None = None) -> dict[str, Any]:
    """Return a table's manifest for a reader, checking it holds ``symbol`` (and ``config_id``).

    Raises
    ------
    TableMismatchError
        No manifest (an older table), another producing config, or the symbol was not
        recorded (an interrupted build): each message says how to rebuild.
    """
    directory = table_dir(root, table, timeframe)
    found = read_manifest(directory)
    if found is None:
        raise TableMismatchError(
            f"{directory} has no {MANIFEST_NAME}: it was written by an older version (or is not "
            f"a {table} table); rebuild it with `tsig {table} ... --replace`")
    if config_id is not None and found.get("config_id") != config_id:
        raise TableMismatchError(
            f"{directory} was written with config_id {found.get('config_id')}, expected "
            f"{config_id}; rebuild it with this config (--replace) or point at the right table")
    if symbol is not None and symbol not in (found.get("symbols") or {}):
        raise TableMismatchError(
            f"{directory}: symbol {symbol} is not recorded in its {MANIFEST_NAME} (absent, or "
            f"its build was interrupted); run `tsig {table} ... --symbols {symbol}` with the "
            "same config to (re)write it")
    return found


def _write(directory: str, manifest: Mapping[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n"
    storage.write_text_atomic(storage.join(directory, MANIFEST_NAME), text)
