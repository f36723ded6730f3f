"""Retrieval quality on a labelled question set: recall@k and MRR at document level."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trading_signals.errors import DataError
from trading_signals.research.retrieval import retrieve

FAR_FUTURE = "2262-01-01"


@dataclass(frozen=True)
class Question:
    """A question about one symbol and the titles of the documents that answer it."""

    symbol: str
    question: str
    answers: tuple[str, ...]


def load_questions(path: str | Path) -> list[Question]:
    """Read a JSONL question set (``symbol``, ``question``, ``answers``: list of titles)."""
    out = []
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out.append(Question(obj["symbol"], obj["question"], tuple(obj["answers"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataError(f"{path}: line {i}: need symbol, question and answers ({exc})") from exc
    return out


def evaluate_retrieval(store: Any, questions: Sequence[Question], *, k: int = 5,
                       as_of: str = FAR_FUTURE) -> dict[str, Any]:
    """Recall@k (share of answer documents among the top ``k`` distinct documents) and MRR.

    Passages are retrieved with the symbol filter, as the product queries; several passages of
    one document count once, in the rank of the first.
    """
    if not questions:
        raise DataError("evaluate_retrieval: empty question set")
    recalls, rr, rows = [], [], []
    for q in questions:
        hits = retrieve(store, q.question, symbol=q.symbol, as_of=as_of, k=4 * k)
        titles = list(dict.fromkeys(h.title for h in hits))[:k]
        found = [t for t in q.answers if t in titles]
        recalls.append(len(found) / len(q.answers))
        first = next((i for i, t in enumerate(titles, start=1) if t in q.answers), None)
        rr.append(1.0 / first if first else 0.0)
        rows.append({"question": q.question, "symbol": q.symbol, "top": titles, "rank": first})
    return {"k": k, "questions": len(questions), f"recall@{k}": sum(recalls) / len(recalls),
            "mrr": sum(rr) / len(rr), "per_question": rows}
