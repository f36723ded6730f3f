"""Choose and open the vector store: LanceDB (default) or Pinecone (``PINECONE_API_KEY``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from langchain_core.embeddings import Embeddings

from trading_signals.errors import ConfigError
from trading_signals.research.embeddings import (
    HashingEmbeddings,
    MiniLMEmbeddings,
    OpenAIEmbeddings,
    embeddings_from_env,
)

DEFAULT_STORE = "rag_store"


def default_location(env: Mapping[str, str] | None = None) -> str:
    """``TSIG_RAG_STORE`` or ``./rag_store``."""
    env = os.environ if env is None else env
    return env.get("TSIG_RAG_STORE") or DEFAULT_STORE


def open_store(location: str | None = None, *, embedding: Embeddings | None = None,
               env: Mapping[str, str] | None = None, must_exist: bool = False) -> Any:
    """Open the research vector store.

    Parameters
    ----------
    location
        A LanceDB directory or ``s3://`` URI. When given, LanceDB is used. When None: Pinecone if
        ``PINECONE_API_KEY`` is set (``TSIG_VECTOR_STORE=lancedb`` forces LanceDB), else LanceDB at
        :func:`default_location`.
    embedding
        The embedder; by default from ``TSIG_EMBEDDINGS`` or, for an existing LanceDB store with
        ``TSIG_EMBEDDINGS`` unset, the embedder that built it.
    must_exist
        For readers (query, report, HTTP): a local LanceDB location that does not exist is a
        :class:`ConfigError` (instead of an empty store created on the spot).

    Returns
    -------
    LanceResearchStore or PineconeResearchStore
    """
    env = os.environ if env is None else env
    backend = env.get("TSIG_VECTOR_STORE", "").strip().lower()
    if backend not in ("", "lancedb", "pinecone"):
        raise ConfigError(f"TSIG_VECTOR_STORE={backend!r}: use lancedb or pinecone")
    if location is None and (backend == "pinecone" or (not backend and env.get("PINECONE_API_KEY"))):
        from trading_signals.research.pinecone_store import PineconeResearchStore

        return PineconeResearchStore(embedding or embeddings_from_env(env))
    from trading_signals.research.lance_store import LanceResearchStore

    uri = location or default_location(env)
    if must_exist and "://" not in uri and not Path(uri).exists():
        raise ConfigError(f"no research store at {uri!r}: ingest documents first (tsig rag "
                          "ingest PATH --store ...), or point --store/TSIG_RAG_STORE at one")
    if embedding is None:
        stored = None if env.get("TSIG_EMBEDDINGS") else _stored_embedder(
            uri, _storage_options(uri, env))
        embedding = _embedder_named(stored, env) if stored else embeddings_from_env(env)
    return LanceResearchStore(uri, embedding, storage_options=_storage_options(uri, env))


def _stored_embedder(uri: str, storage_options: dict[str, str] | None) -> str | None:
    import lancedb

    from trading_signals.research.store_common import table_names

    try:
        db = lancedb.connect(uri, storage_options=storage_options)
        if "passages" not in table_names(db):
            return None
        raw = (db.open_table("passages").schema.metadata or {}).get(b"trading_signals.embedder")
    except (OSError, ValueError):
        return None
    return None if raw is None else str(json.loads(raw)["name"])


def _embedder_named(name: str, env: Mapping[str, str]) -> Embeddings:
    if name == "minilm":
        return MiniLMEmbeddings()
    if name == "hashing":
        return HashingEmbeddings()
    if name.startswith("openai:"):
        return OpenAIEmbeddings(model=name.split(":", 1)[1], api_key=env.get("OPENAI_API_KEY"))
    raise ConfigError(f"the store was built with embedder {name!r}, which this version cannot "
                      "load; set TSIG_EMBEDDINGS")


def _storage_options(uri: str, env: Mapping[str, str]) -> dict[str, str] | None:
    # Object stores: pass the S3 endpoint/region through (credentials come from the usual
    # AWS_* variables, read by Lance itself).
    if not uri.startswith("s3://"):
        return None
    opts = {}
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        opts["aws_endpoint"] = endpoint
        if endpoint.startswith("http://"):
            opts["allow_http"] = "true"
    if env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION"):
        opts["aws_region"] = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION", "")
    return opts or None
