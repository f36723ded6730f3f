"""Embedder choice from the environment, and OpenAI embeddings through an OpenAI-compatible
endpoint (local fake; responses arrive out of order and are put back in input order)."""

from __future__ import annotations

import pytest

from trading_signals.errors import ConfigError
from trading_signals.research.embeddings import (
    HashingEmbeddings,
    MiniLMEmbeddings,
    OpenAIEmbeddings,
    embedder_name,
    embeddings_from_env,
)
from tests.research._fakes import fake_openai


def test_embedder_from_env():
    assert isinstance(embeddings_from_env({}), MiniLMEmbeddings)
    assert isinstance(embeddings_from_env({"OPENAI_API_KEY": "k"}), OpenAIEmbeddings)
    assert isinstance(embeddings_from_env({"OPENAI_API_KEY": "k", "TSIG_EMBEDDINGS": "minilm"}),
                      MiniLMEmbeddings)
    assert isinstance(embeddings_from_env({"TSIG_EMBEDDINGS": "hashing"}), HashingEmbeddings)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        embeddings_from_env({"TSIG_EMBEDDINGS": "openai"})
    with pytest.raises(ConfigError, match="minilm, openai or hashing"):
        embeddings_from_env({"TSIG_EMBEDDINGS": "word2vec"})


def test_openai_embeddings_batches_and_keeps_order():
    with fake_openai("unused") as srv:
        emb = OpenAIEmbeddings(model="text-embedding-3-small", base_url=srv.url, api_key="sk",
                               batch_size=2)
        texts = ["a", "bb", "ccc", "dddd", "eeeee"]
        vecs = emb.embed_documents(texts)
        assert [v[0] for v in vecs] == [1.0, 2.0, 3.0, 4.0, 5.0]
        assert emb.embed_query("xyz")[0] == 3.0
    calls = [r for r in srv.requests if r["path"] == "/v1/embeddings"]
    assert [len(c["json"]["input"]) for c in calls] == [2, 2, 1, 1]
    assert embedder_name(emb) == "openai:text-embedding-3-small"
