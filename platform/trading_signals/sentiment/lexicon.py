"""Compositional rule scorer for financial news: metric polarity x direction, plus an authored lexicon.

The rules encode how financial sentences carry sentiment: a metric that is good when it grows
(sales, profit, orders) or bad when it grows (loss, costs, debt) combined with a direction
("rose", "narrowed", "cut", or a number compared with an earlier number). Evaluative words
("record", "lawsuit", "profit warning") add their own polarity. Negators flip the next cue;
contrast words re-weight clauses. Sentences with no cue are neutral.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from trading_signals.sentiment.base import SentimentScores
from trading_signals.sentiment.headlines import headline_evidence, is_headline

_TOKEN = re.compile(r"[a-z]+(?:_[a-z]+)*|n't|\d+(?:[.,]\d+)*|%|[.,;:!?]")
_RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "sentiment"
_UNITS = {"thousand": 1e3, "k": 1e3, "mn": 1e6, "m": 1e6, "mln": 1e6, "million": 1e6,
          "bn": 1e9, "b": 1e9, "billion": 1e9, "mld": 1e9}
# Forward search for "higher costs" / "increase in sales" stops at clause joints.
_BARRIERS = frozenset({".", ";", ",", "as", "and", "after", "while", "but", "because", "since",
                       "amid", "with", "when", "despite", "although"})
# Words after these describe the comparison baseline, not the news.
_BASELINE = frozenset({"compared", "than", "versus", "vs"})
_SKIP_PHRASES = ("up to", "set up", "sign up", "build up", "follow up", "take up", "make up",
                 "ups and downs", "down payment", "cut off", "fall back", "step down",
                 "up front", "lower case")


@dataclass(frozen=True)
class Lexicon:
    """Word sets of the rule scorer (loaded from ``resources/sentiment/lexicon.json``)."""

    metric: dict[str, int]
    direction: dict[str, int]
    evaluative_direction: frozenset[str]
    polar: dict[str, int]
    negators: frozenset[str]
    contrast_after: frozenset[str]
    contrast_before: frozenset[str]
    comparators: frozenset[str]
    change_verbs: frozenset[str]
    close_verbs: frozenset[str]
    facilities: frozenset[str]
    strong: frozenset[str]
    phrase_re: re.Pattern[str]

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> Lexicon:
        """Build a lexicon from the JSON layout of the packaged word list."""
        metric = {w: 1 for w in raw["metrics_positive"]} | {w: -1 for w in raw["metrics_negative"]}
        direction = {w: 1 for w in raw["up"]} | {w: -1 for w in raw["down"]}
        polar = {w: 1 for w in raw["positive"]} | {w: -1 for w in raw["negative"]}
        phrases = sorted(set(raw["phrases"]) | set(_SKIP_PHRASES), key=len, reverse=True)
        pattern = r"\b(" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases) + r")\b"
        return cls(metric, direction,
                   frozenset(raw["evaluative_up"]) | frozenset(raw["evaluative_down"]), polar,
                   frozenset(raw["negators"]), frozenset(raw["contrast_after"]),
                   frozenset(raw["contrast_before"]), frozenset(raw["comparators"]),
                   frozenset(raw["change_verbs"]), frozenset(raw["close_verbs"]),
                   frozenset(raw["facilities"]), frozenset(raw["strong_phrases"]),
                   re.compile(pattern))

    def tokenize(self, text: str) -> list[str]:
        """Lower-case, join known multi-word phrases with ``_`` and split into tokens.

        >>> default_lexicon().tokenize("Net sales went up 5 %")
        ['net_sales', 'went_up', '5', '%']
        """
        low = text.lower().replace("\u2019", "'")
        low = re.sub(r"\bpre-tax\b", "pretax", low).replace("-", " ")
        low = re.sub(r"\b(vs|est|approx)\.", r"\1", low)  # abbreviations are not sentence ends
        low = self.phrase_re.sub(lambda m: "_".join(m.group(0).split()), low)
        return _TOKEN.findall(low)


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    return dict(json.loads((_RESOURCES / "lexicon.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """Return the packaged, authored lexicon for news sentences (cached)."""
    return Lexicon.from_mapping(_packaged())


@lru_cache(maxsize=1)
def headline_lexicon() -> Lexicon:
    """Return the packaged lexicon plus its ``headline`` overlay, for headlines and posts."""
    raw = _packaged()
    overlay = raw.get("headline", {})
    merged = {k: (list(v) + [w for w in overlay.get(k, ()) if w not in v]) if isinstance(v, list) else v
              for k, v in raw.items()}
    return Lexicon.from_mapping(merged)


class LexiconScorer:
    """Rule-based scorer: no download, no training, thousands of sentences per second.

    Parameters
    ----------
    threshold
        Net evidence needed to leave neutral (tuned on the authored dev set only).
    sharpness
        Slope of the evidence-to-probability map.
    lexicon
        Word sets; the packaged authored list by default.

    Notes
    -----
    Each text is scored alone (no batch or time dependence), so scoring has no look-ahead.
    """

    name = "lexicon"

    def __init__(self, *, threshold: float = 0.5, sharpness: float = 2.0,
                 lexicon: Lexicon | None = None, headlines: Lexicon | None = None) -> None:
        self.threshold = threshold
        self.sharpness = sharpness
        self.lexicon = lexicon or default_lexicon()
        self.headlines = headlines or (headline_lexicon() if lexicon is None else lexicon)

    def evidence(self, text: str) -> float:
        """Return the signed evidence of one text (> 0 positive, < 0 negative, 0 none).

        Headlines and trader posts (:func:`~trading_signals.sentiment.headlines.is_headline`)
        are read with the headline rules and vocabulary; news sentences with the sentence rules.
        """
        if is_headline(text):
            return _evidence(self.headlines.tokenize(text), self.headlines, headline=True)
        return _evidence(self.lexicon.tokenize(text), self.lexicon)

    def score(self, texts: Sequence[str]) -> SentimentScores:
        """Score each text; see :class:`~trading_signals.sentiment.base.SentimentScorer`."""
        ev = np.array([self.evidence(t) for t in texts], dtype=np.float64)
        return SentimentScores.from_probs(evidence_to_probs(ev, threshold=self.threshold,
                                                            sharpness=self.sharpness))


def evidence_to_probs(evidence: np.ndarray, *, threshold: float, sharpness: float) -> np.ndarray:
    """Map signed evidence to (neg, neu, pos) probabilities; |evidence| = threshold is the tie.

    Equivalent to ``softmax([-k*e, k*t, k*e])`` with ``k = sharpness``, ``t = threshold``.
    """
    k = sharpness * np.asarray(evidence, dtype=np.float64)
    logits = np.column_stack([-k, np.full_like(k, sharpness * threshold), k])
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def _evidence(tokens: list[str], lex: Lexicon, *, headline: bool = False) -> float:
    weights = _clause_weights(tokens, lex)
    used: set[int] = set()
    total = headline_evidence(tokens, used) if headline else 0.0
    for i, tok in enumerate(tokens):
        if i in used:
            continue
        val, j = _directional(tokens, i, lex, used, headline=headline)
        if val:
            total += weights[i] * _negate(tokens, min(i, j), lex) * val
    total += _numeric_comparison(tokens, lex, used, weights)
    for i, tok in enumerate(tokens):
        p = lex.polar.get(tok)
        if p is None or i in used:
            continue
        # Words that are also metrics ("loss", "growth") count less as bare evaluations.
        scale = 0.7 if tok in lex.metric else 1.5 if tok in lex.strong else 1.0
        total += weights[i] * _negate(tokens, i, lex) * scale * p
    return total


def _directional(tokens: list[str], i: int, lex: Lexicon, used: set[int], *,
                 headline: bool = False) -> tuple[float, int]:
    """Return (value, anchor index) of a direction/change/closure cue at ``i`` (0 if none)."""
    tok = tokens[i]
    if tok in lex.change_verbs:  # "swung to a net loss", "returned to profit"
        j = next((k for k in range(i + 1, min(i + 5, len(tokens))) if tokens[k] in lex.metric), None)
        if j is not None and j not in used:
            used.update((i, j))
            return 1.5 * lex.metric[tokens[j]], i
        return 0.0, i
    if tok in lex.close_verbs:  # "will close its factory"
        if any(t in lex.facilities for t in tokens[i + 1:i + 4]):
            used.add(i)
            return -1.0, i
        return 0.0, i
    d = lex.direction.get(tok)
    if d is None:
        return 0.0, i
    j = _nearest_metric(tokens, i, lex, used)
    if j is not None:
        used.update((i, j))
        return float(d * lex.metric[tokens[j]]), j
    if tok in lex.evaluative_direction or (headline and tok not in ("up", "down", "more")):
        # In a headline an unanchored move ("Acme tumbles 9%") is the subject's share price.
        used.add(i)
        return float(d), i
    return 0.0, i  # an unanchored direction ("prices fell") is left to the polar lexicon


def _nearest_metric(tokens: list[str], i: int, lex: Lexicon, used: set[int]) -> int | None:
    # "higher energy costs": an adjacent metric right after the cue wins.
    for j in range(i + 1, min(i + 3, len(tokens))):
        if tokens[j] in _BARRIERS:
            break
        if j not in used and tokens[j] in lex.metric:
            return j
    for dist in range(1, 11):
        j = i - dist
        if j >= 0 and j not in used and tokens[j] in lex.metric:
            return j
        if j >= 0 and tokens[j] in (".", ";"):
            break
    for j in range(i + 1, min(i + 5, len(tokens))):
        if tokens[j] in (".", ";"):
            break
        if j not in used and tokens[j] in lex.metric:
            return j
    return None


def _negate(tokens: list[str], i: int, lex: Lexicon) -> float:
    window = tokens[max(0, i - 3):i]
    return -1.0 if any(t in lex.negators for t in window) else 1.0


def _clause_weights(tokens: list[str], lex: Lexicon) -> np.ndarray:
    w = np.ones(len(tokens))
    for i, tok in enumerate(tokens):
        if tok in lex.contrast_after and i > 0:
            w[:i] *= 0.4  # "X, but Y": Y carries the message
        elif tok in _BASELINE:
            end = next((j for j in range(i + 1, len(tokens)) if tokens[j] in (",", ";", ".")),
                       len(tokens))
            w[i + 1:end] *= 0.3  # "... compared to the strong previous year": the baseline
        elif tok in lex.contrast_before:
            end = next((j for j in range(i + 1, len(tokens)) if tokens[j] in (",", ";", ".")),
                       min(len(tokens), i + 8))
            w[i:end] *= 0.4  # "despite X, Y": X is the concession
    return w


def _numeric_comparison(tokens: list[str], lex: Lexicon, used: set[int], weights: np.ndarray) -> float:
    """Score 'metric ... A compared with B' (A > B means the metric grew)."""
    metrics = [j for j, t in enumerate(tokens) if t in lex.metric and j not in used]
    if not metrics:
        return 0.0
    for c, tok in enumerate(tokens):
        if tok not in lex.comparators:
            continue
        before = _number_near(tokens, c, -1)
        after = _number_near(tokens, c, +1)
        if before is None and tok == "from" and after is not None:
            # "metric from A to B": compare B with A.
            to = next((k for k in range(c + 2, min(c + 8, len(tokens))) if tokens[k] == "to"), None)
            before, after = (_number_near(tokens, to, +1), after) if to is not None else (None, after)
        anchor = [j for j in metrics if j < c]
        if before is None or after is None or not anchor or before == after:
            continue
        j = anchor[-1]
        used.add(j)
        sign = 1.0 if before > after else -1.0
        return float(weights[c] * sign * lex.metric[tokens[j]])
    return 0.0


def _number_near(tokens: list[str], c: int, step: int) -> float | None:
    j = c + step
    for _ in range(6):
        if not 0 <= j < len(tokens):
            return None
        if tokens[j][0].isdigit():
            unit = tokens[j + 1] if j + 1 < len(tokens) else ""
            return _to_float(tokens[j]) * _UNITS.get(unit, 1.0)
        if tokens[j] in (".", ";"):
            return None
        j += step
    return None


def _to_float(tok: str) -> float:
    s = tok.replace(",", ".") if tok.count(",") == 1 and "." not in tok else tok.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return float(s.split(".")[0] or 0)
