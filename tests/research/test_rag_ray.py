"""The cluster indexing job (documents fanned out as Ray tasks) builds the same index as the
serial core path."""

from __future__ import annotations

import json

import pytest

from jobs import index_documents
from trading_signals.research.documents import SAMPLE_CORPUS, load_documents
from trading_signals.research.embeddings import HashingEmbeddings
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.lance_store import LanceResearchStore


def _rows(uri: str) -> list[tuple]:
    t = LanceResearchStore(uri, HashingEmbeddings())._table.to_arrow().sort_by("chunk_id")
    return list(zip(t["chunk_id"].to_pylist(), t["doc_id"].to_pylist(), t["text"].to_pylist(),
                    t["published_at"].to_pylist(), t["vector"].to_pylist(), strict=True))


@pytest.mark.ray
def test_ray_index_job_equals_serial_ingest(ray_local, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSIG_EMBEDDINGS", "hashing")
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    serial = str(tmp_path / "serial")
    ingest_documents(load_documents(SAMPLE_CORPUS), LanceResearchStore(serial, HashingEmbeddings()),
                     docs_per_task=5)
    fanned = str(tmp_path / "ray")
    rc = index_documents.main(["--sample", "--store", fanned, "--docs-per-task", "3",
                               "--num-cpus", "0.5"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["ray"] is True and summary["documents"] == 37
    assert _rows(fanned) == _rows(serial)
    assert len(_rows(serial)) == summary["chunks"]


def test_index_job_bad_input_exits_2(tmp_path, capsys):
    assert index_documents.main([str(tmp_path / "missing.jsonl"), "--serial"]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
