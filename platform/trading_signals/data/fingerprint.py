"""Content fingerprints of input files: the one scheme run ids and table manifests share.

A fingerprint hashes each input file's name (relative to its lake root, so the same lake on
a local disk and on ``s3://`` fingerprints the same) and its SHA-256 content digest. Content,
not modification times: re-importing identical bars keeps the fingerprint; any changed byte
gives a new one. :mod:`trading_signals.workflow.runs` names run directories with it, and
:mod:`trading_signals.data.table_manifest` records it per symbol for output tables.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping

from trading_signals.data import storage
from trading_signals.data.lake import partition_files
from trading_signals.errors import DataError


def file_digest(location: str) -> str:
    """Return the SHA-256 of a file's content (local path or object-store URI)."""
    if storage.is_remote(location):
        return hashlib.sha256(storage.read_bytes(location)).hexdigest()
    with open(storage.local_path(location), "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def relative_name(location: str, root: str | None) -> str:
    """Return ``location`` relative to ``root`` (the name a fingerprint hashes)."""
    f = str(location)
    if root and storage.is_remote(f) and f.startswith(str(root).rstrip("/") + "/"):
        return f[len(str(root).rstrip("/")) + 1:]  # same relative name as a local lake's
    return os.path.relpath(f, root) if root and not storage.is_remote(f) else f


def input_digests(files: Iterable[str], *, root: str | None = None) -> dict[str, str]:
    """Return ``{relative name: SHA-256}`` of input files (what :func:`data_fingerprint` hashes)."""
    return {relative_name(str(f), root): file_digest(str(f)) for f in files}


def digests_fingerprint(digests: Mapping[str, str]) -> str:
    """Return the 16-hex fingerprint of ``{relative name: SHA-256}`` entries (order-free).

    >>> digests_fingerprint({"b": "2", "a": "1"}) == digests_fingerprint({"a": "1", "b": "2"})
    True
    """
    h = hashlib.sha256()
    for name in sorted(digests):
        h.update(f"{name}\0{digests[name]}\n".encode())
    return h.hexdigest()[:16]


def data_fingerprint(files: Iterable[str], *, root: str | None = None) -> str:
    """Return a 16-hex fingerprint of input files: their names (relative to ``root``) and content."""
    return digests_fingerprint(input_digests(files, root=root))


def lake_fingerprint(lake: str, *, timeframe: str, symbols: Iterable[str] | None = None,
                     table: str = "ohlcv") -> str:
    """Fingerprint of the lake partitions a stage reads (``symbols`` of ``timeframe``)."""
    names = list(symbols) if symbols is not None else None
    files = partition_files(lake, timeframe=timeframe, symbols=names, table=table)
    if not files:
        raise DataError(f"no {timeframe} {table} partitions under {lake} to fingerprint")
    return data_fingerprint([str(f) for f in files], root=str(lake))
