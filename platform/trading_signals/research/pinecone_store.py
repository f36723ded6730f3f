"""Pinecone vector store (used when ``PINECONE_API_KEY`` is set), with the v10 SDK.

``published_at`` is stored as epoch seconds (Pinecone's range filters are numeric), and a
point-in-time query filters ``{"symbol": {"$eq": s}, "published_at": {"$lte": ts}}`` inside
Pinecone, before ranking. Results are checked again on return: a match dated after ``as_of``
raises :class:`LookAheadError` rather than reaching a report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from trading_signals.errors import ConfigError, LookAheadError
from trading_signals.research.embeddings import embedder_name
from trading_signals.research.splitting import Chunk
from trading_signals.research.store_common import ResearchVectorStore, doc_from_row

UPSERT_BATCH = 100


def epoch_seconds(ts: pd.Timestamp) -> float:
    """UTC epoch seconds of ``ts`` (microsecond resolution kept as a fraction).

    >>> epoch_seconds(pd.Timestamp("1970-01-02", tz="UTC"))
    86400.0
    """
    return float(pd.Timestamp(ts).value) / 1e9


class PineconeResearchStore(ResearchVectorStore):
    """LangChain ``VectorStore`` over a Pinecone index (data plane only).

    Parameters
    ----------
    embedding
        The LangChain embedder (its name is stored with every vector and checked on query).
    host
        The index host (``PINECONE_HOST``); or ``index_name`` (``PINECONE_INDEX``), which the SDK
        resolves with a describe call.
    api_key
        ``PINECONE_API_KEY`` when not given.
    namespace
        Pinecone namespace (``PINECONE_NAMESPACE``, default ``""``).
    index
        An already-built SDK ``Index`` (tests, custom clients).
    """

    def __init__(self, embedding: Embeddings, *, host: str | None = None,
                 index_name: str | None = None, api_key: str | None = None,
                 namespace: str | None = None, index: Any = None) -> None:
        env = os.environ
        self._embedding = embedding
        self.namespace = namespace if namespace is not None else env.get("PINECONE_NAMESPACE", "")
        if index is None:
            index = _open_index(api_key or env.get("PINECONE_API_KEY"),
                                host or env.get("PINECONE_HOST"),
                                index_name or env.get("PINECONE_INDEX"))
        self._index = index

    def add_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]] | None = None
                   ) -> list[str]:
        """Upsert passages by ``chunk_id`` (idempotent), in batches of 100."""
        if not chunks:
            return []
        vectors = self._vectors_for(chunks, vectors)
        name = embedder_name(self._embedding)
        records = [{"id": c.chunk_id, "values": [float(x) for x in v],
                    "metadata": _metadata(c, name)} for c, v in zip(chunks, vectors, strict=True)]
        for i in range(0, len(records), UPSERT_BATCH):
            self._index.upsert(vectors=records[i:i + UPSERT_BATCH], namespace=self.namespace)
        return [c.chunk_id for c in chunks]

    def search_by_vector(self, vector: Sequence[float], k: int = 4, *, symbol: str | None = None,
                         as_of: pd.Timestamp | None = None, **_: Any
                         ) -> list[tuple[Document, float]]:
        """Filtered inside Pinecone; returns ``(Document, score)`` best first."""
        flt: dict[str, Any] = {}
        if symbol is not None:
            flt["symbol"] = {"$eq": symbol}
        if as_of is not None:
            flt["published_at"] = {"$lte": epoch_seconds(as_of)}
        resp = self._index.query(vector=[float(x) for x in vector], top_k=k,
                                 filter=flt or None, include_metadata=True,
                                 namespace=self.namespace)
        out = []
        mine = embedder_name(self._embedding)
        for m in resp.matches:
            meta = dict(m.metadata or {})
            if meta.get("embedder") not in (None, mine):
                raise ConfigError(f"Pinecone vector {m.id} was embedded with "
                                  f"{meta['embedder']!r}, but {mine!r} is configured; set "
                                  "TSIG_EMBEDDINGS to match or use another namespace")
            published = pd.Timestamp(float(meta["published_at"]), unit="s", tz="UTC")
            # Compare in the units Pinecone filtered on, so a document at exactly as_of passes.
            if as_of is not None and float(meta["published_at"]) > epoch_seconds(as_of):
                raise LookAheadError(f"Pinecone returned {m.id} published {published} after "
                                     f"as_of {as_of}: the index ignored the time filter")
            row = {"chunk_id": m.id, **meta}
            out.append((doc_from_row(row, published.round("us")), float(m.score)))
        return out

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Delete passages by chunk id, or whole documents with ``doc_ids=[...]`` (by filter)."""
        if ids:
            self._index.delete(ids=list(ids), namespace=self.namespace)
        for doc_id in kwargs.get("doc_ids") or []:
            self._index.delete(filter={"doc_id": {"$eq": doc_id}}, namespace=self.namespace)
        return True

    @classmethod
    def from_texts(cls, texts: list[str], embedding: Embeddings,
                   metadatas: list[dict[str, Any]] | None = None, *,
                   ids: list[str] | None = None, **kwargs: Any) -> PineconeResearchStore:
        store = cls(embedding, **kwargs)
        store.add_texts(texts, metadatas, ids=ids)
        return store

    def optimize(self) -> None:
        """Nothing to do: Pinecone indexes on write."""


def _metadata(c: Chunk, embedder: str) -> Mapping[str, Any]:
    return {"doc_id": c.doc_id, "symbol": c.symbol, "published_at": epoch_seconds(c.published_at.ceil("us")),
            "type": c.doc_type, "source": c.source, "title": c.title, "url": c.url,
            "position": c.position, "text": c.text, "embedder": embedder}


def _open_index(api_key: str | None, host: str | None, name: str | None) -> Any:
    if not api_key:
        raise ConfigError("the Pinecone store needs PINECONE_API_KEY")
    if not host and not name:
        raise ConfigError("the Pinecone store needs PINECONE_HOST (the index host URL) or "
                          "PINECONE_INDEX (an index name to resolve)")
    try:
        from pinecone import Pinecone
    except ImportError as exc:
        raise ConfigError("Pinecone support needs the optional extra: pip install "
                          "'trading-signals[pinecone]' (pinecone>=10)") from exc
    pc = Pinecone(api_key=api_key, host=os.environ.get("PINECONE_CONTROLLER_HOST"))
    return pc.Index(host=host) if host else pc.Index(name=name or "")
