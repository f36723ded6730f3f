"""Lexical re-ranking: BM25 over the vector candidates, fused by reciprocal rank (RRF).

Dense MiniLM retrieval misses paraphrase-poor questions that share rare words with the answer
("production capacity"); BM25 catches those. The fusion only re-orders candidates the store
returned after its symbol/time prefilter, so point-in-time guarantees are unchanged.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

RRF_K = 60  # the usual constant of reciprocal rank fusion (Cormack et al., 2009)
_STOP = frozenset(
    "a an and are as at be been by can could did do does for from had has have how in into is "
    "it its of on or over per than that the this to was were what when where which who why will "
    "with would about after before".split())


def tokens(text: str) -> list[str]:
    """Lower-case alphanumeric words without stop words.

    >>> tokens("Why was the 2018 guidance cut?")
    ['2018', 'guidance', 'cut']
    """
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP]


def bm25_scores(query: str, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> list[float]:
    """BM25 (Okapi, Lucene's idf) of ``query`` against each text, statistics from ``texts``."""
    docs = [tokens(t) for t in texts]
    n = len(docs)
    if n == 0:
        return []
    avg = sum(map(len, docs)) / n or 1.0
    df = Counter(w for d in docs for w in set(d))
    terms = set(tokens(query))
    out = []
    for d in docs:
        tf = Counter(d)
        s = 0.0
        for w in terms & tf.keys():
            idf = math.log(1.0 + (n - df[w] + 0.5) / (df[w] + 0.5))
            s += idf * tf[w] * (k1 + 1) / (tf[w] + k1 * (1 - b + b * len(d) / avg))
        out.append(s)
    return out


def rrf_order(query: str, texts: Sequence[str]) -> list[int]:
    """Indices of ``texts`` (given in vector-rank order) re-ordered by RRF of vector and BM25 rank.

    Ties keep the vector order (stable sort), so equal inputs give equal outputs.

    >>> rrf_order("production capacity", ["new contract", "dividend", "plant adds production capacity"])
    [0, 2, 1]
    """
    lex = bm25_scores(query, texts)
    lex_rank = {i: r for r, i in enumerate(sorted(range(len(texts)), key=lambda i: -lex[i]))}
    return sorted(range(len(texts)),
                  key=lambda i: -(1.0 / (RRF_K + i + 1) + 1.0 / (RRF_K + lex_rank[i] + 1)))
