"""Ingest: documents -> passages -> batched embeddings -> an idempotent upsert into the store.

The unit of work is :func:`prepare_batch` (split + embed a batch of documents). The serial path
maps it in a loop; ``jobs/index_documents.py`` maps the same function as Ray tasks through any
executor with ``map(fn, items)``. Writes happen once, from the caller, in document order, so
both paths build the same index (a test compares them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from trading_signals.errors import ConfigError
from trading_signals.research.documents import ResearchDocument
from trading_signals.research.splitting import (
    CHUNK_OVERLAP,
    CHUNK_SIZE,
    Chunk,
    embedding_text,
    split_documents,
)

EMBED_BATCH = 64
WAVE = 32  # batches mapped and written per wave: bounds driver memory on big corpora


class Mapper(Protocol):
    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]: ...


@dataclass(frozen=True)
class PreparedBatch:
    """Passages of a batch of documents with their vectors (same order)."""

    chunks: list[Chunk]
    vectors: np.ndarray  # (len(chunks), dim) float32: 4 bytes a float, not a Python object


@dataclass(frozen=True)
class DocumentBatch:
    """A batch of documents: the unit of work of one task (``label`` names the Ray task)."""

    index: int
    docs: list[ResearchDocument]

    @property
    def label(self) -> str:
        return f"docs{self.index}"


@dataclass(frozen=True)
class BatchPreparer:
    """Split and embed documents; picklable, so Ray tasks can run it (the embedder loads lazily)."""

    embedding: Embeddings
    chunk_size: int = CHUNK_SIZE
    chunk_overlap: int = CHUNK_OVERLAP
    embed_batch: int = EMBED_BATCH

    def __call__(self, batch: DocumentBatch | Sequence[ResearchDocument]) -> PreparedBatch:
        docs = batch.docs if isinstance(batch, DocumentBatch) else batch
        chunks = split_documents(docs, chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap)
        parts = [np.asarray(self.embedding.embed_documents(
            [embedding_text(c) for c in chunks[i:i + self.embed_batch]]), dtype=np.float32)
            for i in range(0, len(chunks), self.embed_batch)]
        vectors = np.vstack(parts) if parts else np.zeros((0, 0), dtype=np.float32)
        return PreparedBatch(chunks=chunks, vectors=vectors)


@dataclass
class IngestSummary:
    """What an ingest did (JSON-able via ``as_dict``)."""

    documents: int = 0
    chunks: int = 0
    new_documents: int = 0
    seconds: float = 0.0
    doc_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "chunks": self.chunks,
                "new_documents": self.new_documents, "seconds": round(self.seconds, 3),
                "chunks_per_s": round(self.chunks / self.seconds, 1) if self.seconds else None,
                "doc_ids": self.doc_ids}


class _Serial:
    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        return [fn(x) for x in items]


def document_batches(docs: Sequence[ResearchDocument], size: int) -> list[DocumentBatch]:
    """Cut documents into batches of ``size`` (order kept)."""
    if size < 1:
        raise ConfigError(f"documents per batch must be >= 1, got {size}")
    return [DocumentBatch(k, list(docs[i:i + size]))
            for k, i in enumerate(range(0, len(docs), size))]


def ingest_documents(docs: Sequence[ResearchDocument], store: Any, *,
                     executor: Mapper | None = None, docs_per_task: int = 8,
                     chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP
                     ) -> IngestSummary:
    """Split, embed (batched) and upsert ``docs`` into ``store``.

    Parameters
    ----------
    executor
        Anything with ``map(fn, items)`` returning results in item order (``RayExecutor`` in
        jobs); serial when None.

    Notes
    -----
    Batches are mapped and written in waves of ``WAVE`` batches, in document order, so memory
    stays bounded and the serial and fanned-out paths write the same rows.
    Idempotent: chunk ids are content hashes, and the store upserts by id, so ingesting the same
    documents twice leaves the index unchanged. Duplicate documents within one call are
    ingested once.
    """
    t0 = time.perf_counter()
    unique = list({d.doc_id: d for d in docs}.values())
    before = set(store.doc_ids()) if hasattr(store, "doc_ids") else set()
    prep = BatchPreparer(store.embeddings, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    batches = document_batches(unique, docs_per_task)
    n_chunks = 0
    for w in range(0, len(batches), WAVE):
        results: list[PreparedBatch] = (executor or _Serial()).map(prep, batches[w:w + WAVE])
        chunks = [c for r in results for c in r.chunks]
        if chunks:
            store.add_chunks(chunks, np.vstack([r.vectors for r in results if len(r.chunks)]))
        n_chunks += len(chunks)
    ids = [d.doc_id for d in unique]
    return IngestSummary(documents=len(unique), chunks=n_chunks,
                         new_documents=len(set(ids) - before),
                         seconds=time.perf_counter() - t0, doc_ids=ids)
