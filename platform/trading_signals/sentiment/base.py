"""The scorer interface shared by every sentiment model, and its result type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from trading_signals._typing import FloatArray
from trading_signals.errors import DataError

#: The three sentiment classes, in score-column order (not the signal labels of
#: :data:`trading_signals.signals.labels.LABELS`).
SENTIMENT_CLASSES = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class SentimentScores:
    """Per-text probabilities and labels; ``score = p_pos - p_neg`` in [-1, 1].

    Build it with :meth:`from_probs`, which checks shapes and normalises rows.
    """

    label: tuple[str, ...]
    p_neg: FloatArray
    p_neu: FloatArray
    p_pos: FloatArray

    @property
    def score(self) -> FloatArray:
        """Return ``p_pos - p_neg`` per text."""
        return np.clip(self.p_pos - self.p_neg, -1.0, 1.0)

    def __len__(self) -> int:
        return len(self.label)

    @classmethod
    def from_probs(cls, probs: np.ndarray) -> SentimentScores:
        """Build scores from an ``(n, 3)`` array ordered (negative, neutral, positive).

        Rows are normalised to sum to one; the label is the arg-max (ties go to neutral,
        then to the lower index).

        >>> s = SentimentScores.from_probs(np.array([[0.1, 0.2, 0.7]]))
        >>> s.label, round(float(s.score[0]), 2)
        (('positive',), 0.6)
        """
        p = np.asarray(probs, dtype=np.float64).reshape(-1, 3)
        if np.any(~np.isfinite(p)) or np.any(p < 0):
            raise DataError("sentiment probabilities must be finite and non-negative")
        total = p.sum(axis=1, keepdims=True)
        p = np.where(total > 0, p / np.where(total > 0, total, 1.0), 1.0 / 3.0)
        # Prefer neutral on exact ties: missing evidence is not a direction.
        order = np.argmax(p + np.array([0.0, 1e-12, 0.0]), axis=1)
        labels = tuple(SENTIMENT_CLASSES[i] for i in order)
        return cls(labels, p[:, 0].copy(), p[:, 1].copy(), p[:, 2].copy())

    def probs(self) -> FloatArray:
        """Return the ``(n, 3)`` probability matrix (negative, neutral, positive)."""
        return np.column_stack([self.p_neg, self.p_neu, self.p_pos])

    def to_frame(self) -> pd.DataFrame:
        """Return a frame with columns ``label, p_neg, p_neu, p_pos, score``."""
        return pd.DataFrame({"label": list(self.label), "p_neg": self.p_neg,
                             "p_neu": self.p_neu, "p_pos": self.p_pos, "score": self.score})


@runtime_checkable
class SentimentScorer(Protocol):
    """Anything with a ``name`` that maps texts to :class:`SentimentScores`.

    Notes
    -----
    Scorers are stateless per text: the score of a text never depends on other texts in the
    batch or on time, so scoring introduces no look-ahead by itself.
    """

    name: str

    def score(self, texts: Sequence[str]) -> SentimentScores:
        """Score each text; the result has one row per input, in order."""
        ...
