"""LanceDB vector store (the default): embedded, persistent, a directory or an ``s3://`` URI.

Typed columns: ``symbol`` (string, BITMAP index), ``published_at`` (timestamp[us, UTC], BTREE
index), ``doc_id``/``type``/``source``/``title``/``url``/``text`` and a fixed-size float32
``vector``. The symbol/time filter runs *before* the vector search (``prefilter=True``), so a
point-in-time query ranks only passages that existed at the time: it can never come back short
because future passages took the top-k slots.

``lancedb`` is imported lazily (about 2-3 s of import).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from trading_signals.errors import ConfigError
from trading_signals.research.embeddings import embedder_name
from trading_signals.research.splitting import Chunk
from trading_signals.research.store_common import (
    ResearchVectorStore,
    doc_from_row,
    symbol_literal,
    table_names,
    ts_literal,
)

TABLE = "passages"
_TEXT_COLS = ("chunk_id", "doc_id", "symbol", "type", "source", "title", "url", "text")


class LanceResearchStore(ResearchVectorStore):
    """LangChain ``VectorStore`` over one LanceDB table of research passages.

    Parameters
    ----------
    uri
        Directory or object-store URI (``s3://bucket/prefix``) of the LanceDB database.
    embedding
        The LangChain embedder; its name is stored with the table and a different one is refused
        (vectors from two models are not comparable).
    storage_options
        Passed to ``lancedb.connect`` for object stores (endpoint, region, credentials).
    """

    def __init__(self, uri: str, embedding: Embeddings, *, table: str = TABLE,
                 storage_options: dict[str, str] | None = None) -> None:
        import lancedb

        self.uri = str(uri)
        self._embedding = embedding
        self.table_name = table
        self._db = lancedb.connect(self.uri, storage_options=storage_options)
        self._table: Any = None
        if table in table_names(self._db):
            self._table = self._db.open_table(table)
            self._check_embedder()

    # -- LangChain interface (the rest is in ResearchVectorStore) ---------------------------
    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Delete passages by chunk id, or whole documents with ``doc_ids=[...]``."""
        doc_ids = kwargs.get("doc_ids")
        if self._table is None:
            return False
        if ids:
            self._table.delete(_in("chunk_id", ids))
        if doc_ids:
            self._table.delete(_in("doc_id", doc_ids))
        return True

    @classmethod
    def from_texts(cls, texts: list[str], embedding: Embeddings,
                   metadatas: list[dict[str, Any]] | None = None, *,
                   ids: list[str] | None = None, **kwargs: Any) -> LanceResearchStore:
        store = cls(kwargs.pop("uri"), embedding, **kwargs)
        store.add_texts(texts, metadatas, ids=ids)
        return store

    # -- research API ----------------------------------------------------------------------
    def add_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]] | None = None
                   ) -> list[str]:
        """Upsert passages (by ``chunk_id``: re-adding the same passage changes nothing)."""
        if not chunks:
            return []
        data = self._arrow(chunks, np.asarray(self._vectors_for(chunks, vectors), dtype=np.float32))
        if self._table is None:
            self._table = self._db.create_table(self.table_name, data=data)
            self._index()
        else:
            (self._table.merge_insert("chunk_id").when_matched_update_all()
             .when_not_matched_insert_all().execute(data))
        return [c.chunk_id for c in chunks]

    def search_by_vector(self, vector: Sequence[float], k: int = 4, *, symbol: str | None = None,
                         as_of: pd.Timestamp | None = None, **_: Any
                         ) -> list[tuple[Document, float]]:
        """Filtered (prefilter) cosine search, ``(Document, cosine similarity)`` best first;
        ``as_of`` keeps ``published_at <= as_of``."""
        if self._table is None or k < 1:
            return []
        where = _where(symbol, as_of)
        q = self._table.search(np.asarray(vector, dtype=np.float32)).metric("cosine")
        if where:
            q = q.where(where, prefilter=True)
        rows = q.limit(k).select([*_TEXT_COLS, "published_at", "_distance"]).to_arrow().to_pylist()
        return [(doc_from_row(r, r["published_at"]), 1.0 - float(r["_distance"])) for r in rows]

    def count(self) -> int:
        """Number of passages stored."""
        return 0 if self._table is None else int(self._table.count_rows())

    def doc_ids(self) -> set[str]:
        """The distinct document ids stored."""
        if self._table is None:
            return set()
        return set(self._table.to_arrow().column("doc_id").to_pylist())

    def optimize(self) -> None:
        """Fold new rows into the scalar indices (call after a large ingest)."""
        if self._table is not None:
            self._table.optimize()

    def indices(self) -> dict[str, str]:
        """Column -> index type (``BITMAP``/``BTREE``)."""
        if self._table is None:
            return {}
        return {i.columns[0]: str(i.index_type).upper() for i in self._table.list_indices()}

    # -- internals -------------------------------------------------------------------------
    def _arrow(self, chunks: Sequence[Chunk], vecs: np.ndarray) -> Any:
        import pyarrow as pa

        dim = vecs.shape[1]
        cols: dict[str, Any] = {
            "chunk_id": [c.chunk_id for c in chunks], "doc_id": [c.doc_id for c in chunks],
            "symbol": [c.symbol for c in chunks], "type": [c.doc_type for c in chunks],
            "source": [c.source for c in chunks], "title": [c.title for c in chunks],
            "url": [c.url for c in chunks], "text": [c.text for c in chunks],
        }
        arrays = [pa.array(cols[n], type=pa.string()) for n in _TEXT_COLS]
        # Round up to the stored microseconds: a passage is never visible before publication.
        stamps = pd.DatetimeIndex([c.published_at for c in chunks]).ceil("us").as_unit("us")
        arrays.append(pa.array(stamps, type=pa.timestamp("us", tz="UTC")))
        arrays.append(pa.array([c.position for c in chunks], type=pa.int32()))
        arrays.append(pa.FixedSizeListArray.from_arrays(pa.array(vecs.ravel(), type=pa.float32()), dim))
        names = [*_TEXT_COLS, "published_at", "position", "vector"]
        meta = {"trading_signals.embedder": json.dumps({"name": embedder_name(self._embedding),
                                                        "dim": int(dim)})}
        schema = pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays, strict=True)],
                           metadata=meta)
        return pa.Table.from_arrays(arrays, schema=schema)

    def _index(self) -> None:
        from lancedb.index import BTree, Bitmap

        self._table.create_index("symbol", config=Bitmap(), replace=True)
        self._table.create_index("published_at", config=BTree(), replace=True)

    def _check_embedder(self) -> None:
        meta = self._table.schema.metadata or {}
        raw = meta.get(b"trading_signals.embedder")
        if raw is None:
            return
        stored = json.loads(raw)["name"]
        mine = embedder_name(self._embedding)
        if stored != mine:
            raise ConfigError(f"{self.uri}: the index was built with embedder {stored!r} but "
                              f"{mine!r} is configured; set TSIG_EMBEDDINGS to match or "
                              "re-ingest into a new store")

    def stored_embedder(self) -> str | None:
        """Name of the embedder the table was built with (None for an empty store)."""
        if self._table is None:
            return None
        raw = (self._table.schema.metadata or {}).get(b"trading_signals.embedder")
        return None if raw is None else str(json.loads(raw)["name"])


def _where(symbol: str | None, as_of: pd.Timestamp | None) -> str:
    parts = []
    if symbol is not None:
        parts.append(f"symbol = {symbol_literal(symbol)}")
    if as_of is not None:
        parts.append(f"published_at <= {ts_literal(as_of)}")
    return " AND ".join(parts)


def _in(column: str, values: Sequence[str]) -> str:
    quoted = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"
