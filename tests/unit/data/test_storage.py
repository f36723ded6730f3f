"""Storage by location: the same operations on local paths, file:// and s3:// (moto on loopback)."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests._services import list_objects, moto_server
from trading_signals.data import storage
from trading_signals.errors import DataError


@pytest.fixture(scope="module")
def s3():
    with moto_server(bucket="unit") as server:
        yield server


def _table() -> pa.Table:
    return pa.table({"a": pa.array([1.0, 2.5, None]), "b": pa.array(["x", "y", "z"])})


def test_scheme_and_join_and_parent():
    assert storage.scheme("s3://b/k") == "s3" and storage.scheme("/tmp/x") == ""
    assert storage.scheme("C:/data") == "" and storage.scheme("file:///tmp/x") == "file"
    assert storage.is_remote("gs://b/x") and not storage.is_remote("file:///x")
    assert not storage.is_remote(Path("lake"))
    assert storage.join("s3://b/runs/", "/abc/", "s.json") == "s3://b/runs/abc/s.json"
    assert storage.join(Path("runs"), "abc") == os.path.join("runs", "abc")
    assert storage.parent("s3://b/runs/abc/s.json") == "s3://b/runs/abc"
    assert storage.parent("s3://b") == "s3://b"
    assert storage.basename("s3://b/runs/abc/") == "abc"
    assert storage.local_path("file:///tmp/x/y") == "/tmp/x/y"
    with pytest.raises(DataError, match="no local path"):
        storage.local_path("s3://b/x")


@pytest.mark.parametrize("kind", ["local", "file", "s3"])
def test_roundtrip_list_exists_delete(kind, tmp_path, s3, request):
    base = {"local": str(tmp_path / "root"), "file": f"file://{tmp_path}/root",
            "s3": s3.uri(f"rt-{request.node.name[-6:]}")}[kind]
    assert not storage.exists(base) and storage.listdir(base) == []
    storage.makedirs(storage.join(base, "d"))
    storage.write_bytes_atomic(storage.join(base, "d", "one.bin"), b"\x00\x01")
    storage.write_text_atomic(storage.join(base, "d", "two.json"), '{"k": 1}')
    storage.write_bytes_atomic(storage.join(base, "d", "sub", "three.txt"), b"3")
    assert storage.read_bytes(storage.join(base, "d", "one.bin")) == b"\x00\x01"
    assert storage.read_text(storage.join(base, "d", "two.json")) == '{"k": 1}'
    assert storage.listdir(storage.join(base, "d")) == ["one.bin", "sub", "two.json"]
    assert storage.listdir(storage.join(base, "d"), "*.json") == ["two.json"]
    assert storage.walk_files(base) == ["d/one.bin", "d/sub/three.txt", "d/two.json"]
    assert storage.is_file(storage.join(base, "d", "one.bin"))
    assert storage.is_dir(storage.join(base, "d", "sub"))
    assert not storage.is_file(storage.join(base, "d", "sub"))
    # Overwrite replaces the whole content (no append, no partial).
    storage.write_bytes_atomic(storage.join(base, "d", "one.bin"), b"new")
    assert storage.read_bytes(storage.join(base, "d", "one.bin")) == b"new"
    with pytest.raises(FileNotFoundError):
        storage.read_bytes(storage.join(base, "d", "missing.bin"))
    with pytest.raises(DataError, match="recursive"):
        storage.delete(storage.join(base, "d"))
    storage.delete(storage.join(base, "d", "two.json"))
    assert not storage.exists(storage.join(base, "d", "two.json"))
    storage.delete(storage.join(base, "d", "missing"))  # missing is fine
    storage.delete(base, recursive=True)
    assert storage.walk_files(base) == []


def test_local_write_leaves_no_temp_file_even_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "x" / "t.parquet"
    storage.write_table_atomic(_table(), target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["t.parquet"]

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        storage.write_bytes_atomic(target, b"partial")
    assert sorted(p.name for p in target.parent.iterdir()) == ["t.parquet"]
    assert storage.read_table(target).equals(_table())  # the old file is intact


def test_parquet_bytes_identical_local_and_s3(tmp_path, s3):
    local = tmp_path / "t.parquet"
    pq.write_table(_table(), local, compression="zstd")  # what the lake wrote before
    mine = tmp_path / "mine.parquet"
    storage.write_table_atomic(_table(), str(mine))
    assert mine.read_bytes() == local.read_bytes()
    uri = s3.uri("pq", "t.parquet")
    storage.write_table_atomic(_table(), uri)
    assert list_objects(s3, "pq/") == {"pq/t.parquet": local.read_bytes()}
    assert storage.read_table(uri).equals(_table())
    assert storage.read_table(uri, columns=["b"]).column_names == ["b"]
    assert storage.read_schema(uri) == _table().schema


def test_upload_and_download_dir(tmp_path, s3):
    src = tmp_path / "src"
    (src / "a").mkdir(parents=True)
    (src / "a" / "w.bin").write_bytes(b"w")
    (src / "m.json").write_text("{}")
    uri = s3.uri("dirs", "v1")
    assert storage.upload_dir(src, uri) == ["a/w.bin", "m.json"]
    assert storage.download_dir(uri, tmp_path / "dst") == ["a/w.bin", "m.json"]
    assert (tmp_path / "dst" / "a" / "w.bin").read_bytes() == b"w"


def test_s3_endpoint_comes_from_environment(s3, monkeypatch):
    fs, path = storage.resolve(s3.uri("k"))
    assert type(fs).__name__ == "S3FileSystem" and path == "unit/k"
    # A service-specific endpoint wins over the generic one.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    storage.write_bytes_atomic(s3.uri("env", "x"), b"1")
    assert list_objects(s3, "env/") == {"env/x": b"1"}


def test_unknown_scheme_is_a_clear_error():
    with pytest.raises(DataError, match="no filesystem for scheme 'nosuch'"):
        storage.resolve("nosuch://bucket/x")


def test_uri_that_went_through_pathlib_is_restored(tmp_path, s3):
    # A CLI option typed Path turns "s3://b/k" into "s3:/b/k": the storage layer undoes it.
    assert storage.as_str(Path("s3://b/lake/x")) == "s3://b/lake/x"
    assert storage.local_path(Path(f"file://{tmp_path}/x")) == f"{tmp_path}/x"
    assert storage.as_str("s3:/b/k") == "s3://b/k" and storage.as_str("s3/b/k") == "s3/b/k"
    storage.write_bytes_atomic(Path(s3.uri("viapath", "a.bin")), b"a")
    assert list_objects(s3, "viapath/") == {"viapath/a.bin": b"a"}


def test_cli_data_import_and_ls_on_s3(s3):
    import json

    from typer.testing import CliRunner

    from trading_signals.cli import app

    lake = s3.uri("cli-lake")
    runner = CliRunner()
    res = runner.invoke(app, ["data", "import", "synthetic", "--symbols", "2", "--bars", "300",
                              "--lake", lake, "--json"])
    assert res.exit_code == 0, res.output
    assert sorted(k.split("/")[3] for k in list_objects(s3, "cli-lake/ohlcv/")) == \
        ["symbol=SYN0000", "symbol=SYN0001"]
    res = runner.invoke(app, ["data", "ls", "--lake", lake, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    rows = rows if isinstance(rows, list) else rows.get("partitions", rows)
    assert sorted(r["symbol"] for r in rows) == ["SYN0000", "SYN0001"]
