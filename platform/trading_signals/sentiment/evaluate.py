"""Measure a sentiment scorer on labelled sentences: accuracy, macro-F1, per class, speed."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from trading_signals.errors import DataError
from trading_signals.sentiment.base import SENTIMENT_CLASSES, SentimentScorer


def classification_report(labels: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Return accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    Equivalent to ``sklearn.metrics.precision_recall_fscore_support(..., labels=SENTIMENT_CLASSES)`` with
    zero for undefined ratios; ``confusion[true][pred]`` counts sentences.

    >>> r = classification_report(["positive", "neutral"], ["positive", "negative"])
    >>> r["accuracy"], r["per_class"]["positive"]["f1"]
    (0.5, 1.0)
    """
    if len(labels) != len(predicted):
        raise DataError(f"{len(labels)} labels but {len(predicted)} predictions; pass one per text")
    if not labels:
        raise DataError("no labelled sentences to evaluate")
    bad = sorted(set(labels) - set(SENTIMENT_CLASSES))
    if bad:
        raise DataError(f"unknown labels {bad}; use one of {SENTIMENT_CLASSES}")
    idx = {lab: i for i, lab in enumerate(SENTIMENT_CLASSES)}
    cm = np.zeros((3, 3), dtype=np.int64)
    for t, p in zip(labels, predicted, strict=True):
        cm[idx[t], idx[p]] += 1
    per_class: dict[str, dict[str, float]] = {}
    for i, lab in enumerate(SENTIMENT_CLASSES):
        tp, pred_n, true_n = cm[i, i], cm[:, i].sum(), cm[i, :].sum()
        prec = tp / pred_n if pred_n else 0.0
        rec = tp / true_n if true_n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[lab] = {"precision": float(prec), "recall": float(rec), "f1": float(f1),
                          "support": int(true_n)}
    return {
        "n": len(labels),
        "accuracy": float(np.trace(cm) / cm.sum()),
        "macro_f1": float(np.mean([per_class[lab]["f1"] for lab in SENTIMENT_CLASSES])),
        "per_class": per_class,
        "confusion": {t: {p: int(cm[i, j]) for j, p in enumerate(SENTIMENT_CLASSES)} for i, t in enumerate(SENTIMENT_CLASSES)},
    }


def evaluate_scorer(scorer: SentimentScorer, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Score ``texts`` with ``scorer`` and compare with ``labels``.

    Returns
    -------
    dict
        :func:`classification_report` plus ``scorer``, ``seconds`` and ``sentences_per_s``
        (wall time of ``scorer.score`` alone: model loading is excluded when the scorer loads
        eagerly, and included once when it loads lazily).
    """
    if len(texts) != len(labels):
        raise DataError(f"{len(texts)} texts but {len(labels)} labels; pass one label per text")
    start = time.perf_counter()
    scores = scorer.score(list(texts))
    seconds = time.perf_counter() - start
    report = classification_report(list(labels), list(scores.label))
    return {"scorer": scorer.name, **report, "seconds": seconds,
            "sentences_per_s": len(texts) / seconds if seconds > 0 else float("inf")}
