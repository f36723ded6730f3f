"""FinBERT-style sequence-classifier scorer loaded from a local directory (never downloaded)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from trading_signals.errors import ConfigError
from trading_signals.sentiment.base import SENTIMENT_CLASSES, SentimentScores

_ALIASES = {"negative": "negative", "neg": "negative", "bearish": "negative",
            "neutral": "neutral", "neu": "neutral", "none": "neutral",
            "positive": "positive", "pos": "positive", "bullish": "positive"}


_WHAT = "transformer --model-path (sentiment.model_path)"

class TransformerScorer:
    """Score texts with a Hugging Face sequence classifier from ``model_path``.

    Parameters
    ----------
    model_path
        A local directory (``save_pretrained`` output) or a model id already in the local
        Hugging Face cache. Loaded with ``local_files_only=True``: nothing is downloaded.
    batch_size, max_length
        Inference batching and truncation.
    device
        ``"cpu"`` (default) or a torch device string.

    Notes
    -----
    Labels are mapped from ``config.id2label`` (``negative/neutral/positive`` and common
    aliases such as ``bearish``); a model whose labels cannot be mapped raises ConfigError.
    Scoring is per text: no look-ahead.
    """

    name = "transformer"

    def __init__(self, *, model_path: str | Path, batch_size: int = 32, max_length: int = 128,
                 device: str = "cpu") -> None:
        self.model_path = str(model_path)
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None
        self._order: list[int] = []

    def _load(self) -> None:
        self._check_path()
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                self.model_path, local_files_only=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # transformers raises OSError for missing files, ValueError/KeyError/TypeError for a
            # directory whose files are not a (complete) tokenizer + classifier.
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"{_WHAT} {self.model_path!r} is not a usable local sequence-"
                              f"classification model (nothing is downloaded): {first}") from exc
        self._order = label_order(model.config.id2label)
        self._model = model.to(self.device).eval()

    def _check_path(self) -> None:
        # A local path must be a save_pretrained() directory; anything else that is not an
        # existing path is treated as a model id looked up in the local Hugging Face cache.
        path = Path(self.model_path).expanduser()
        if path.exists():
            if not path.is_dir():
                raise ConfigError(f"{_WHAT} {self.model_path!r} is a file; pass the directory "
                                  "written by save_pretrained() (config.json, tokenizer, weights)")
            if not (path / "config.json").is_file():
                raise ConfigError(f"{_WHAT} {self.model_path!r} has no config.json, so it is not "
                                  "a Hugging Face model directory; pass the directory written by "
                                  "save_pretrained() (config.json, tokenizer files, weights)")
        elif self.model_path.startswith((".", "/", "~")) or self.model_path.count("/") > 1:
            raise ConfigError(f"{_WHAT} {self.model_path!r}: directory not found (models are only "
                              "read locally, nothing is downloaded)")

    def score(self, texts: Sequence[str]) -> SentimentScores:
        """Score each text; see :class:`~trading_signals.sentiment.base.SentimentScorer`."""
        import torch

        if self._model is None:
            self._load()
        out = np.zeros((len(texts), 3))
        with torch.inference_mode():
            for lo in range(0, len(texts), self.batch_size):
                batch = [str(t) for t in texts[lo:lo + self.batch_size]]
                enc = self._tokenizer(batch, padding=True, truncation=True,
                                      max_length=self.max_length, return_tensors="pt")
                logits = self._model(**enc.to(self.device)).logits.float()
                out[lo:lo + len(batch)] = torch.softmax(logits, dim=-1).cpu().numpy()[:, self._order]
        return SentimentScores.from_probs(out)


def label_order(id2label: dict[Any, str]) -> list[int]:
    """Return model output indices ordered (negative, neutral, positive) from ``id2label``.

    >>> label_order({0: "positive", 1: "negative", 2: "neutral"})
    [1, 2, 0]
    """
    found: dict[str, int] = {}
    for idx, name in id2label.items():
        canon = _ALIASES.get(str(name).strip().lower())
        if canon is not None:
            found[canon] = int(idx)
    if len(id2label) != 3 or set(found) != set(SENTIMENT_CLASSES):
        raise ConfigError(f"model labels {dict(id2label)} do not map to {SENTIMENT_CLASSES}; set "
                          "config.id2label to negative/neutral/positive")
    return [found[lab] for lab in SENTIMENT_CLASSES]
