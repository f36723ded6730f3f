"""Research store benchmark: ingest throughput and filtered (point-in-time) query latency.

Run: ``python tests/benchmarks/bench_rag.py [--sizes 20000 200000] [--minilm-chunks 1000]``
(prints a table; nothing is asserted).

- ``embed+split+upsert (MiniLM)``: end-to-end ingest of ``--minilm-chunks`` real passages with the
  default embedder (the embedder dominates, so its rate is the ingest rate of a real corpus).
- ``upsert`` at each size: LanceDB writes of precomputed 384-d vectors, in batches of 10k
  passages (the store's own throughput), then the scalar indices.
- ``top-5 p50/p99``: the store's ``symbol = S AND published_at <= D`` prefiltered cosine top-5,
  random S of 200 symbols and random D, 200 queries after 10 warm-up queries.
- ``retrieve p50/p99``: the product path (query embedding with the hashing embedder, 40
  prefiltered candidates, BM25 reciprocal-rank re-rank, point-in-time checks).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time

import numpy as np
import pandas as pd

from trading_signals.research.documents import ResearchDocument
from trading_signals.research.embeddings import HashingEmbeddings, MiniLMEmbeddings
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.lance_store import LanceResearchStore
from trading_signals.research.retrieval import retrieve
from trading_signals.research.splitting import Chunk

N_SYMBOLS = 200
DIM = 384
START = pd.Timestamp("2015-01-01", tz="UTC")
WORDS = ("revenue margin guidance buyback lawsuit tariff rates cloud demand supply chain "
         "dividend debt outlook growth risk churn subscribers pricing inventory").split()


class _Fixed(HashingEmbeddings):
    # Name/dim of MiniLM so the store schema matches a real one; vectors are supplied.
    name = "bench"

    def __init__(self) -> None:
        super().__init__(DIM)


def _chunks(n: int, rng: np.random.Generator) -> list[Chunk]:
    days = rng.integers(0, 5 * 365, n)
    syms = rng.integers(0, N_SYMBOLS, n)
    out = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS, 60))
        out.append(Chunk(chunk_id=f"c{i:08d}", doc_id=f"d{i:08d}", symbol=f"S{syms[i]:04d}",
                         published_at=START + pd.Timedelta(days=int(days[i])), doc_type="news",
                         source="bench", title="", url="", position=0, text=text))
    return out


def _vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def bench_minilm(n_chunks: int) -> float:
    rng = np.random.default_rng(0)
    docs = [ResearchDocument("AAA", START + pd.Timedelta(days=i), "news", "bench",
                             " ".join(rng.choice(WORDS, 120)), f"doc {i}") for i in range(n_chunks)]
    tmp = tempfile.mkdtemp()
    try:
        store = LanceResearchStore(tmp, MiniLMEmbeddings())
        MiniLMEmbeddings().embed_documents(["warm up"])  # load the model outside the timing
        s = ingest_documents(docs, store)
        return s.chunks / s.seconds
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_size(n: int, queries: int = 200) -> dict[str, float]:
    rng = np.random.default_rng(n)
    tmp = tempfile.mkdtemp()
    try:
        store = LanceResearchStore(tmp, _Fixed())
        t0 = time.perf_counter()
        for lo in range(0, n, 10_000):
            hi = min(n, lo + 10_000)
            store.add_chunks(_chunks(hi - lo, rng), _vectors(hi - lo, rng))
        store.optimize()
        write_s = time.perf_counter() - t0
        qv = _vectors(queries + 10, rng)
        lat, hyb = [], []
        for i in range(queries + 10):
            sym = f"S{rng.integers(0, N_SYMBOLS):04d}"
            as_of = START + pd.Timedelta(days=int(rng.integers(30, 5 * 365)))
            t = time.perf_counter()
            store.search_by_vector(qv[i], 5, symbol=sym, as_of=as_of)
            t1 = time.perf_counter()
            # The product path: query embedding (hashing: ~0.1 ms) + 40 candidates + BM25 RRF.
            retrieve(store, " ".join(rng.choice(WORDS, 6)), symbol=sym, as_of=as_of, k=5)
            if i >= 10:
                lat.append(t1 - t)
                hyb.append(time.perf_counter() - t1)
        ms, hms = np.array(lat) * 1e3, np.array(hyb) * 1e3
        return {"chunks": n, "upsert_chunks_per_s": n / write_s,
                "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
                "hybrid_p50_ms": float(np.percentile(hms, 50)),
                "hybrid_p99_ms": float(np.percentile(hms, 99))}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    p.add_argument("--minilm-chunks", type=int, default=1000)
    args = p.parse_args()
    if args.minilm_chunks:
        rate = bench_minilm(args.minilm_chunks)
        print(f"embed+split+upsert (MiniLM, {args.minilm_chunks} passages): {rate:,.0f} chunks/s")
    print(f"{'chunks':>9} {'upsert chunks/s':>16} {'top-5 p50 ms':>13} {'top-5 p99 ms':>13} "
          f"{'retrieve p50 ms':>16} {'retrieve p99 ms':>16}")
    for n in args.sizes:
        r = bench_size(n)
        print(f"{r['chunks']:>9,} {r['upsert_chunks_per_s']:>16,.0f} {r['p50_ms']:>13.2f} "
              f"{r['p99_ms']:>13.2f} {r['hybrid_p50_ms']:>16.2f} {r['hybrid_p99_ms']:>16.2f}")


if __name__ == "__main__":
    main()
