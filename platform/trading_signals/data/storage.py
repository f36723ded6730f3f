"""Storage by location: one set of file operations for local paths and object-store URIs.

A *location* is a ``str`` (or ``os.PathLike``): a local path (``lake``, ``/data/lake``), a
``file://`` URI, or an object-store URI (``s3://bucket/prefix``, ``gs://bucket/prefix``).
Everything resolves through :mod:`pyarrow.fs`; schemes pyarrow has no filesystem for go through
fsspec (``pyarrow.fs.FSSpecHandler``) when the matching fsspec package is installed.

Atomicity: a local write goes to a temp file in the same directory and is moved into place
with ``os.replace``; an object-store write uploads the complete object in one request (S3 and
GCS make an object visible only once its upload completes), so a reader never sees half a file
in either case.

S3 credentials and endpoint come from the standard AWS environment: ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, profiles or instance roles (the AWS SDK's
default chain), ``AWS_REGION``/``AWS_DEFAULT_REGION``, and ``AWS_ENDPOINT_URL_S3`` or
``AWS_ENDPOINT_URL`` for an S3-compatible service (MinIO, moto, Ceph).
"""

from __future__ import annotations

import fnmatch
import functools
import io
import os
import posixpath
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from trading_signals.errors import DataError

Location = str | os.PathLike
"""A local path, ``file://`` URI or object-store URI (``s3://``, ``gs://``)."""

_PARQUET_DEFAULTS: dict[str, Any] = {"compression": "zstd"}


# What ``pathlib`` makes of a URI: ``str(Path("s3://b/k")) == "s3:/b/k"`` (one slash).
_COLLAPSED_URI = re.compile(r"^(s3|s3a|gs|gcs|abfs|abfss|az|hdfs|viewfs|memory|file):/(?!/)")


def as_str(location: Location) -> str:
    """Return the location as text (``Path`` -> its string; URIs unchanged).

    A URI that went through ``pathlib`` (a CLI option typed ``Path``) lost one slash:
    ``s3:/bucket/k`` is restored to ``s3://bucket/k`` and ``file:/tmp/x`` to ``file:///tmp/x``.

    >>> from pathlib import Path
    >>> as_str(Path("s3://bucket/lake")), as_str(Path("file:///tmp/lake"))
    ('s3://bucket/lake', 'file:///tmp/lake')
    """
    text = os.fspath(location) if not isinstance(location, str) else location
    match = _COLLAPSED_URI.match(text)
    if match:
        sch = match.group(1)
        rest = text[match.end():]
        text = f"file:///{rest}" if sch == "file" else f"{sch}://{rest}"
    return text


def scheme(location: Location) -> str:
    """Return the URI scheme (``"s3"``, ``"gs"``, ``"file"``) or ``""`` for a plain path."""
    text = as_str(location)
    head, sep, _ = text.partition("://")
    if not sep or not head or not head.replace("+", "").replace("-", "").isalnum():
        return ""
    return head.lower()


def is_remote(location: Location) -> bool:
    """True for object-store URIs (anything with a scheme other than ``file``)."""
    return scheme(location) not in ("", "file")


def local_path(location: Location) -> str:
    """Return the local filesystem path of a plain path or ``file://`` URI.

    Raises
    ------
    DataError
        If ``location`` is an object-store URI.
    """
    text = as_str(location)
    sch = scheme(text)
    if sch == "":
        return os.path.expanduser(text)
    if sch == "file":
        return urlsplit(text).path or "/"
    raise DataError(f"{text}: an object-store location has no local path; use the storage "
                    "functions (read_bytes, read_table, ...) instead of opening it as a file")


def join(location: Location, *parts: str) -> str:
    """Append path components: ``join("s3://b/lake", "ohlcv", "x")`` -> ``"s3://b/lake/ohlcv/x"``.

    >>> join("s3://bucket/runs/", "abc", "summary.json")
    's3://bucket/runs/abc/summary.json'
    >>> join("runs", "abc")
    'runs/abc'
    """
    text = as_str(location)
    if scheme(text) in ("", "file"):
        return os.path.join(text, *parts)
    clean = [p.strip("/") for p in parts if p and p.strip("/")]
    return "/".join([text.rstrip("/"), *clean]) if clean else text


def basename(location: Location) -> str:
    """Return the last path component (``"part-0000.parquet"``)."""
    return posixpath.basename(as_str(location).rstrip("/"))


def parent(location: Location) -> str:
    """Return the location one level up (never above the bucket of a URI)."""
    text = as_str(location).rstrip("/")
    if scheme(text) in ("", "file"):
        return os.path.dirname(text)
    head, _, rest = text.partition("://")
    return f"{head}://{posixpath.dirname(rest) or rest}"


# --------------------------------------------------------------------------- resolution

# Schemes pyarrow.fs opens natively; anything else needs an fsspec implementation.
_ARROW_SCHEMES = frozenset({"", "file", "s3", "s3a", "gs", "gcs", "hdfs", "viewfs", "abfs", "abfss"})


def check_supported(location: Location) -> str:
    """Return the location as text, or raise ``ConfigError`` if no filesystem can open its scheme.

    Does no I/O (safe at configuration time, offline).
    """
    from trading_signals.errors import ConfigError

    text = as_str(location)
    sch = scheme(text)
    if sch in _ARROW_SCHEMES:
        return text
    try:
        from fsspec.registry import known_implementations, registry

        if sch in registry or sch in known_implementations:
            return text
    except ImportError:
        pass
    raise ConfigError(f"{text}: unsupported storage scheme {sch!r}; use a local path, file://, "
                      "s3:// or gs:// (or install an fsspec package for that scheme)")



def resolve(location: Location) -> tuple[pafs.FileSystem, str]:
    """Return ``(filesystem, path)`` for ``location`` (the path is what the filesystem expects).

    Local paths are made absolute. ``s3://`` honours the AWS environment variables listed in
    the module docstring; other schemes use :meth:`pyarrow.fs.FileSystem.from_uri`, then fsspec.
    """
    text = as_str(location)
    sch = scheme(text)
    if sch in ("", "file"):
        return pafs.LocalFileSystem(), os.path.abspath(local_path(text))
    rest = text.split("://", 1)[1]
    if sch in ("s3", "s3a"):
        fs = _s3_filesystem(*_s3_env())
        if fs is not None:
            return fs, rest.rstrip("/")
    try:
        fs, path = pafs.FileSystem.from_uri(text)
        return fs, path.rstrip("/")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        return _fsspec_filesystem(sch, text, exc), rest.rstrip("/")


def _s3_env() -> tuple[str | None, str | None]:
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    return endpoint, region


@functools.lru_cache(maxsize=8)
def _s3_filesystem(endpoint: str | None, region: str | None) -> pafs.S3FileSystem | None:
    """Build the S3 filesystem from the environment (cached per endpoint/region).

    Without an endpoint or a region, returns None so that ``from_uri`` resolves the bucket's
    region itself (one request to AWS).
    """
    if endpoint is None and region is None:
        return None
    kwargs: dict[str, Any] = {"region": region or "us-east-1"}
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        kwargs["endpoint_override"] = parts.netloc + parts.path.rstrip("/")
        kwargs["scheme"] = parts.scheme or "https"
        # S3-compatible services (MinIO, moto) address buckets by path, not virtual host.
        kwargs["force_virtual_addressing"] = False
    return pafs.S3FileSystem(**kwargs)


def _fsspec_filesystem(sch: str, text: str, cause: Exception) -> pafs.FileSystem:
    try:
        import fsspec

        return pafs.PyFileSystem(pafs.FSSpecHandler(fsspec.filesystem(sch)))
    except (ImportError, ValueError) as exc:
        raise DataError(
            f"{text}: no filesystem for scheme {sch!r} ({cause}; fsspec: {exc}); use a local "
            "path, file://, s3:// or gs://, or install the fsspec package for that scheme"
        ) from exc


# --------------------------------------------------------------------------- queries


def exists(location: Location) -> bool:
    """True if a file or directory (a non-empty prefix on object stores) exists."""
    if not is_remote(location):
        return os.path.exists(local_path(location))
    fs, path = resolve(location)
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def is_file(location: Location) -> bool:
    """True if ``location`` is a file (an object)."""
    if not is_remote(location):
        return os.path.isfile(local_path(location))
    fs, path = resolve(location)
    return fs.get_file_info(path).type == pafs.FileType.File


def is_dir(location: Location) -> bool:
    """True if ``location`` is a directory (a prefix with objects under it on object stores)."""
    if not is_remote(location):
        return os.path.isdir(local_path(location))
    fs, path = resolve(location)
    return fs.get_file_info(path).type == pafs.FileType.Directory


def listdir(location: Location, pattern: str | None = None) -> list[str]:
    """Return the sorted names directly under ``location`` ([] if it does not exist).

    ``pattern`` filters names with :func:`fnmatch.fnmatchcase` (``"part-*.parquet"``).
    """
    if not is_remote(location):
        path = local_path(location)
        names = os.listdir(path) if os.path.isdir(path) else []
    else:
        fs, path = resolve(location)
        infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True, recursive=False))
        names = [posixpath.basename(i.path.rstrip("/")) for i in infos]
    if pattern is not None:
        names = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
    return sorted(names)


@dataclass(frozen=True)
class Entry:
    """One name directly under a location, with what a listing tells about it.

    ``mtime_ns`` is the modification time in ns since the epoch (``None`` when the store does
    not say). Object stores report it to the second (S3 ``Last-Modified``), local disks to the
    nanosecond; :attr:`coarse_mtime` tells which, so a cache keyed on it can be careful.
    """

    name: str
    is_dir: bool
    size: int | None
    mtime_ns: int | None

    @property
    def coarse_mtime(self) -> bool:
        """True when the mtime is a whole second (S3, some filesystems): a rewrite in the same
        second with the same size would not change ``(size, mtime_ns)``."""
        return self.mtime_ns is None or self.mtime_ns % 1_000_000_000 == 0


def scandir(location: Location, pattern: str | None = None) -> list[Entry]:
    """Return the entries directly under ``location`` with type, size and mtime, sorted by name.

    One listing request on object stores (``ListObjectsV2``: prefixes are directories), one
    ``os.scandir`` locally; [] if the location does not exist. ``pattern`` filters names like
    :func:`listdir`.
    """
    out: list[Entry] = []
    if not is_remote(location):
        path = local_path(location)
        if os.path.isdir(path):
            with os.scandir(path) as it:
                for e in it:
                    try:
                        st = e.stat()
                    except FileNotFoundError:  # a dangling symlink, or removed while listing
                        continue
                    is_dir = e.is_dir()
                    out.append(Entry(e.name, is_dir, None if is_dir else st.st_size, st.st_mtime_ns))
    else:
        fs, path = resolve(location)
        for i in fs.get_file_info(pafs.FileSelector(path, allow_not_found=True, recursive=False)):
            is_dir = i.type == pafs.FileType.Directory
            out.append(Entry(posixpath.basename(i.path.rstrip("/")), is_dir,
                             None if is_dir else i.size, i.mtime_ns))
    if pattern is not None:
        out = [e for e in out if fnmatch.fnmatchcase(e.name, pattern)]
    return sorted(out, key=lambda e: e.name)


def subdirs(location: Location) -> list[str]:
    """Return the sorted names of the directories (prefixes) directly under ``location``."""
    return [e.name for e in scandir(location) if e.is_dir]


def walk_files(location: Location) -> list[str]:
    """Return every file under ``location`` as paths relative to it, sorted (recursive)."""
    if not is_remote(location):
        root = local_path(location)
        out = []
        for base, _dirs, files in os.walk(root):
            out.extend(os.path.relpath(os.path.join(base, f), root).replace(os.sep, "/") for f in files)
        return sorted(out)
    fs, path = resolve(location)
    infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True, recursive=True))
    prefix = path.rstrip("/") + "/"
    return sorted(i.path[len(prefix):] for i in infos
                  if i.type == pafs.FileType.File and i.path.startswith(prefix))


# --------------------------------------------------------------------------- writes


def makedirs(location: Location) -> None:
    """Create a directory and its parents locally; a no-op on object stores (no directories)."""
    if not is_remote(location):
        os.makedirs(local_path(location), exist_ok=True)


def write_bytes_atomic(location: Location, data: bytes) -> str:
    """Write ``data`` as the complete content of ``location``; readers never see a partial file.

    Local: a temp file in the same directory, then ``os.replace``. Object store: one upload of
    the whole object. Returns the location as a string.
    """
    text = as_str(location)
    if not is_remote(text):
        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                fh.write(data)

        _replace_local(local_path(text), write)
        return text
    fs, path = resolve(text)
    with fs.open_output_stream(path) as out:
        out.write(data)
    return text


def write_text_atomic(location: Location, text: str) -> str:
    """UTF-8 variant of :func:`write_bytes_atomic`."""
    return write_bytes_atomic(location, text.encode("utf-8"))


def read_bytes(location: Location) -> bytes:
    """Return the content of a file or object.

    Raises
    ------
    FileNotFoundError
        If it does not exist (for URIs too, so callers handle both alike).
    """
    if not is_remote(location):
        with open(local_path(location), "rb") as fh:
            return fh.read()
    fs, path = resolve(location)
    try:
        with fs.open_input_stream(path) as src:
            return bytes(src.read())
    except FileNotFoundError:
        raise
    except OSError as exc:
        if fs.get_file_info(path).type == pafs.FileType.NotFound:
            raise FileNotFoundError(f"{as_str(location)}: no such object") from exc
        raise


def read_text(location: Location) -> str:
    """UTF-8 variant of :func:`read_bytes`."""
    return read_bytes(location).decode("utf-8")


def delete(location: Location, *, recursive: bool = False) -> None:
    """Delete a file, or a directory/prefix with ``recursive=True``; missing is not an error."""
    if not is_remote(location):
        path = local_path(location)
        if os.path.isdir(path) and not os.path.islink(path):
            if not recursive:
                raise DataError(f"{path} is a directory; pass recursive=True to delete it")
            import shutil

            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.unlink(path)
        return
    fs, path = resolve(location)
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.File:
        fs.delete_file(path)
    elif info.type == pafs.FileType.Directory:
        if not recursive:
            raise DataError(f"{as_str(location)} is a prefix; pass recursive=True to delete it")
        fs.delete_dir_contents(path, missing_dir_ok=True)
        try:
            fs.delete_dir(path)
        except OSError:  # the prefix vanished with its last object
            pass


def upload_dir(local_dir: str | Path, location: Location) -> list[str]:
    """Copy every file under a local directory to ``location`` (same relative layout)."""
    root = Path(local_dir)
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    for name in names:
        write_bytes_atomic(join(location, *name.split("/")), (root / name).read_bytes())
    return names


def download_dir(location: Location, local_dir: str | Path) -> list[str]:
    """Copy every file under ``location`` into a local directory (same relative layout)."""
    names = walk_files(location)
    for name in names:
        target = Path(local_dir, *name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(read_bytes(join(location, *name.split("/"))))
    return names


# --------------------------------------------------------------------------- parquet


def write_table_atomic(table: pa.Table, location: Location, **parquet_options: Any) -> str:
    """Write an Arrow table as one Parquet file atomically (zstd unless told otherwise).

    Locally this is byte-for-byte what ``pq.write_table(table, path, compression="zstd")``
    writes (through a temp file and ``os.replace``); on an object store the same bytes are
    uploaded as one object.
    """
    import pyarrow.parquet as pq

    options = {**_PARQUET_DEFAULTS, **parquet_options}
    text = as_str(location)
    if not is_remote(text):
        _replace_local(local_path(text), lambda tmp: pq.write_table(table, tmp, **options))
        return text
    sink = io.BytesIO()
    pq.write_table(table, sink, **options)
    return write_bytes_atomic(text, sink.getvalue())


def read_table(location: Location, columns: list[str] | None = None,
               filters: Any = None) -> pa.Table:
    """Read one Parquet file (or a directory of them) as an Arrow table."""
    import pyarrow.parquet as pq

    if not is_remote(location):
        return pq.read_table(local_path(location), columns=columns, filters=filters)
    fs, path = resolve(location)
    return pq.read_table(path, columns=columns, filters=filters, filesystem=fs)


def read_schema(location: Location) -> pa.Schema:
    """Read only the Arrow schema of a Parquet file (one small ranged read on object stores)."""
    import pyarrow.parquet as pq

    if not is_remote(location):
        return pq.read_schema(local_path(location))
    fs, path = resolve(location)
    with fs.open_input_file(path) as src:
        return pq.read_schema(src)


def _replace_local(path: str, write: Callable[[str], None]) -> None:
    # Write a temp file beside ``path`` and rename it over: readers see old or new, never half.
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = _tmp_name(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _tmp_name(path: str) -> str:
    head, tail = os.path.split(path)
    return os.path.join(head, f".{tail}.{uuid.uuid4().hex}.tmp")
