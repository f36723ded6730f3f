"""Research reports with point-in-time retrieval.

Documents (transcripts, filings, news) are split with LangChain's text splitters, embedded
behind LangChain's ``Embeddings`` interface (packaged MiniLM offline by default) and stored in a
LangChain ``VectorStore`` (LanceDB by default, Pinecone when configured). Retrieval as of a date
returns only passages published at or before it; reports are written by an offline writer or
any OpenAI-compatible chat endpoint, and every figure they contain is checked against the
context given to the writer.

Heavy libraries (lancedb, openai, pinecone, sentence-transformers) are imported lazily.
"""

from __future__ import annotations

from trading_signals.research.documents import DOC_TYPES, ResearchDocument, load_documents

__all__ = ["DOC_TYPES", "ResearchDocument", "load_documents"]
