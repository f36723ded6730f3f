"""Helpers shared by the vector stores: metadata <-> chunks, filter literals, result rows."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from trading_signals.data.schema import check_symbol
from trading_signals.errors import DataError
from trading_signals.research.documents import make_document
from trading_signals.research.splitting import Chunk, embedding_text


class ResearchVectorStore(VectorStore):
    """The LangChain ``VectorStore`` surface both research stores share.

    Subclasses set ``self._embedding`` and implement ``add_chunks`` and ``search_by_vector``
    (filtered by ``symbol=`` and ``as_of=``, inclusive); LangChain's calls route through them.
    """

    _embedding: Embeddings

    @property
    def embeddings(self) -> Embeddings:
        return self._embedding

    @abstractmethod
    def add_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]] | None = None
                   ) -> list[str]: ...

    @abstractmethod
    def search_by_vector(self, vector: Sequence[float], k: int = 4, **kwargs: Any
                         ) -> list[tuple[Document, float]]: ...

    def add_texts(self, texts: Iterable[str], metadatas: list[dict[str, Any]] | None = None, *,
                  ids: list[str] | None = None, **kwargs: Any) -> list[str]:
        """Add raw texts; each metadata needs ``symbol``, ``published_at``, ``type``, ``source``."""
        return self.add_chunks(chunks_from_metadatas(list(texts), metadatas, ids))

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        """Search; ``symbol=`` and ``as_of=`` (inclusive) filter before ranking."""
        return [d for d, _ in self.similarity_search_with_score(query, k, **kwargs)]

    def similarity_search_with_score(self, query: str, k: int = 4, **kwargs: Any
                                     ) -> list[tuple[Document, float]]:
        """Return ``(Document, score)`` pairs, best first."""
        return self.search_by_vector(self._embedding.embed_query(query), k, **kwargs)

    def similarity_search_by_vector(self, embedding: list[float], k: int = 4, **kwargs: Any
                                    ) -> list[Document]:
        return [d for d, _ in self.search_by_vector(embedding, k, **kwargs)]

    def _vectors_for(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]] | None
                     ) -> Sequence[Sequence[float]]:
        """The given vectors (checked one per chunk), or the chunks embedded."""
        if vectors is None:
            vectors = self._embedding.embed_documents([embedding_text(c) for c in chunks])
        if len(vectors) != len(chunks):
            raise DataError(f"add_chunks: {len(chunks)} chunks but {len(vectors)} vectors")
        return vectors


def chunks_from_metadatas(texts: Sequence[str], metadatas: Sequence[Mapping[str, Any]] | None,
                          ids: Sequence[str] | None) -> list[Chunk]:
    """Turn LangChain ``add_texts`` input into chunks (one per text, metadata validated)."""
    if metadatas is None or len(metadatas) != len(texts):
        raise DataError("add_texts needs one metadata dict per text with symbol, published_at, "
                        "type and source")
    out = []
    for i, (text, meta) in enumerate(zip(texts, metadatas, strict=True)):
        doc = make_document({**meta, "text": text}, f"add_texts item {i}")
        cid = ids[i] if ids is not None else f"{doc.doc_id}-{int(meta.get('position', 0)):04d}"
        out.append(Chunk(chunk_id=cid, doc_id=str(meta.get("doc_id") or doc.doc_id),
                         symbol=doc.symbol, published_at=doc.published_at, doc_type=doc.doc_type,
                         source=doc.source, title=doc.title, url=doc.url,
                         position=int(meta.get("position", 0)), text=doc.text))
    return out


def symbol_literal(symbol: str) -> str:
    """A SQL string literal for a validated symbol (safe characters only)."""
    return "'" + check_symbol(symbol) + "'"


def ts_literal(ts: pd.Timestamp) -> str:
    """A UTC microsecond timestamp literal for LanceDB (DataFusion) filters."""
    ts = pd.Timestamp(ts)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    iso = ts.tz_localize(None).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return f"arrow_cast('{iso}', 'Timestamp(Microsecond, Some(\"UTC\"))')"


def doc_from_row(row: Mapping[str, Any], published: Any) -> Document:
    """Build a LangChain ``Document`` from a store row (``published_at`` as UTC ISO text)."""
    ts = pd.Timestamp(published)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    meta = {"chunk_id": row["chunk_id"], "doc_id": row["doc_id"], "symbol": row["symbol"],
            "published_at": ts.isoformat(), "type": row["type"], "source": row["source"],
            "title": row.get("title") or "", "url": row.get("url") or ""}
    return Document(page_content=row["text"], metadata=meta, id=row["chunk_id"])


def table_names(db: Any) -> list[str]:
    """Table names of a LanceDB connection (``list_tables`` returns a paged response in new
    releases, a list in older ones)."""
    res = db.list_tables() if hasattr(db, "list_tables") else db.table_names()
    return list(getattr(res, "tables", res))
