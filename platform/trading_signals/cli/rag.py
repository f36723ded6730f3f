"""``tsig rag ingest|query|delete|eval``: the research document index (point-in-time retrieval)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, emit, table, user_errors

_STORE = typer.Option(None, "--store", help="LanceDB directory or s3:// URI (default: "
                      "TSIG_RAG_STORE or ./rag_store; Pinecone when PINECONE_API_KEY is set).")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    sub = typer.Typer(help="Research documents: ingest, point-in-time query, delete, evaluate.",
                      no_args_is_help=True)
    sub.command("ingest")(ingest_cmd)
    sub.command("query")(query_cmd)
    sub.command("delete")(delete_cmd)
    sub.command("eval")(eval_cmd)
    app.add_typer(sub, name="rag")


def sample_corpus_path() -> Path:
    """The packaged illustrative corpus for the demo symbols."""
    from trading_signals.research.documents import SAMPLE_CORPUS

    return SAMPLE_CORPUS


def ingest_cmd(
    paths: list[Path] = typer.Argument(None, help="Files or directories (.txt .md .pdf .jsonl)."),
    symbol: str | None = typer.Option(None, "--symbol", help="Symbol of documents that do not name one."),
    published_at: str | None = typer.Option(None, "--published-at", help="UTC publish time for files without one (ISO 8601 or epoch)."),
    doc_type: str | None = typer.Option(None, "--type", help="transcript | filing | news"),
    source: str | None = typer.Option(None, "--source", help="Publisher/source (default: file name)."),
    sample: bool = typer.Option(False, "--sample", help="Ingest the packaged illustrative corpus."),
    store: str | None = _STORE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Split, embed and upsert documents (idempotent: re-ingesting changes nothing)."""
    from trading_signals.errors import DataError
    from trading_signals.research.documents import load_documents
    from trading_signals.research.indexing import ingest_documents
    from trading_signals.research.stores import open_store

    with user_errors():
        items = list(paths or []) + ([sample_corpus_path()] if sample else [])
        if not items:
            raise DataError("tsig rag ingest: give PATH(s) or --sample")
        defaults = {"symbol": symbol, "published_at": published_at, "type": doc_type,
                    "source": source}
        docs = load_documents(items, defaults=defaults)
        st = open_store(store)
        summary = ingest_documents(docs, st).as_dict()
        if hasattr(st, "optimize"):
            st.optimize()
    summary["store"] = store or getattr(st, "uri", "pinecone")
    emit(summary, as_json=as_json, render=lambda s: console.print(
        f"ingested {s['documents']} document(s) ({s['new_documents']} new), {s['chunks']} "
        f"passage(s) into {s['store']} in {s['seconds']} s"))


def query_cmd(
    query: str = typer.Argument(..., help="Question or keywords."),
    symbol: str = typer.Option(..., "--symbol"),
    as_of: str = typer.Option(..., "--as-of", help="Only documents published at or before this (a date = end of that UTC day)."),
    k: int = typer.Option(5, "-k", "--k", min=1, help="Passages to return."),
    store: str | None = _STORE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Retrieve the passages most similar to QUERY, point in time."""
    from trading_signals.research.retrieval import retrieve
    from trading_signals.research.stores import open_store

    from trading_signals.data.schema import check_symbol
    from trading_signals.research.documents import parse_as_of

    with user_errors():
        check_symbol(symbol)  # bad options first, before touching the store
        parse_as_of(as_of)
        hits = retrieve(open_store(store, must_exist=True), query, symbol=symbol, as_of=as_of, k=k)
    rows: list[dict[str, Any]] = [{**h.source_dict(), "score": round(h.score, 4), "text": h.text}
                                  for h in hits]
    emit(rows, as_json=as_json, render=lambda r: console.print(table(
        f"{symbol} as of {as_of}: {query}", ["score", "published", "type", "source", "passage"],
        [(x["score"], x["published_at"][:10], x["type"], x["source"], x["text"][:160]) for x in r])))


def delete_cmd(
    doc_ids: list[str] = typer.Argument(..., help="Document ids (as printed by ingest --json)."),
    store: str | None = _STORE,
) -> None:
    """Delete documents (all their passages) by document id."""
    from trading_signals.research.stores import open_store

    with user_errors():
        open_store(store, must_exist=True).delete(doc_ids=list(doc_ids))
    console.print(f"deleted {len(doc_ids)} document(s)")


def eval_cmd(
    questions: Path = typer.Argument(..., help="JSONL: symbol, question, answers (document titles)."),
    k: int = typer.Option(5, "-k", "--k", min=1),
    store: str | None = _STORE,
    as_json: bool = JSON_OPTION,
) -> None:
    """Measure retrieval: recall@k and MRR over a labelled question set."""
    from trading_signals.research.quality import evaluate_retrieval, load_questions
    from trading_signals.research.stores import open_store

    with user_errors():
        res = evaluate_retrieval(open_store(store, must_exist=True), load_questions(questions), k=k)
    emit(res, as_json=as_json, render=lambda r: console.print(
        f"{r['questions']} questions: recall@{k} {r[f'recall@{k}']:.3f}, MRR {r['mrr']:.3f}"))
