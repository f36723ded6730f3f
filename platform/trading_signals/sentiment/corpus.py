"""Deterministic training corpus from the authored templates (no external data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "sentiment"


def load_templates() -> dict[str, list[str]]:
    """Return the packaged, authored templates (``resources/sentiment/templates.json``)."""
    raw = json.loads((_RESOURCES / "templates.json").read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if not k.startswith("_")}


def generate_corpus(*, seed: int = 0, n_per_label: int = 400) -> tuple[list[str], list[str]]:
    """Generate a labelled corpus: metric x direction sentences plus event templates.

    Parameters
    ----------
    seed
        Seed of the local generator (same seed -> same corpus).
    n_per_label
        Sentences per label (negative, neutral, positive).

    Returns
    -------
    (texts, labels)
        Labels: growth of a good metric or fall of a bad one is positive, the reverse
        negative; event templates carry their own label; descriptive templates are neutral.

    >>> t, y = generate_corpus(seed=1, n_per_label=2)
    >>> len(t), sorted(set(y))
    (6, ['negative', 'neutral', 'positive'])
    """
    rng = np.random.default_rng(seed)
    tpl = load_templates()

    def pick(key: str) -> str:
        return str(tpl[key][rng.integers(len(tpl[key]))])

    def fill(s: str) -> str:
        s = s.replace("{company}", pick("company")).replace("{n}", pick("n"))
        s = s.replace("{country}", pick("country"))
        return s[0].upper() + s[1:]

    def directional(label: str) -> str:
        good = rng.random() < 0.6
        up = (label == "positive") == good
        metric = pick("metric_up_good" if good else "metric_up_bad")
        verb = pick("up" if up else "down")
        return fill(pick("directional").replace("{metric}", metric).replace("{verb}", verb)
                    .replace("{amount}", pick("amount")))

    texts: list[str] = []
    labels: list[str] = []
    for label in ("negative", "neutral", "positive"):
        for _ in range(n_per_label):
            if label != "neutral" and rng.random() < 0.55:
                texts.append(directional(label))
            else:
                texts.append(fill(pick(label)))
            labels.append(label)
    return texts, labels
