"""Sentiment speed: scorers in sentences/s and aggregation vs a naive loop, as ratios in one run.

Run: ``python tests/benchmarks/bench_sentiment.py [--embedding] [SENTENCE_FILE]``. Uses the authored
dev sentences (repeated to 2,000) unless a ``sentence@label`` file is given.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from trading_signals.data.news import read_labelled_sentences
from trading_signals.sentiment import aggregate_sentiment, get_scorer

RES = Path(__file__).resolve().parents[2] / "platform/trading_signals/resources/sentiment"


def _bag_of_words(texts: list[str]) -> np.ndarray:
    pos, neg = {"rose", "up", "increased", "grew"}, {"fell", "down", "decreased", "loss"}
    return np.array([sum((w in pos) - (w in neg) for w in re.findall(r"[a-z]+", t.lower())) for t in texts])


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def _naive_aggregate(times: pd.DatetimeIndex, scores: np.ndarray, closes: pd.DatetimeIndex,
                     half_life: pd.Timedelta) -> np.ndarray:
    out = np.full(len(closes), np.nan)
    for k, c in enumerate(closes):
        m = times < c
        if m.any():
            w = 0.5 ** np.asarray((c - times[m]) / half_life, dtype=np.float64)
            out[k] = (w * scores[m]).sum() / w.sum()
    return out


def main(argv: list[str]) -> None:
    files = [a for a in argv if not a.startswith("--")]
    texts, _ = read_labelled_sentences(files[0] if files else RES / "dev_sentences.txt")
    texts = (texts * (2000 // len(texts) + 1))[:2000]
    ref = _timed(_bag_of_words, texts)
    rows = [("bag-of-words reference", len(texts) / ref, 1.0)]
    for name in ["default"] + (["embedding"] if "--embedding" in argv else []):
        sc = get_scorer(name)
        sc.score(texts[:4])  # load weights outside the timing
        t = _timed(sc.score, texts)
        rows.append((name, len(texts) / t, ref / t))
    print(f"{'scorer':<24}{'sentences/s':>14}{'speed vs reference':>20}")
    for name, sps, ratio in rows:
        print(f"{name:<24}{sps:>14,.0f}{ratio:>20.3f}")

    rng = np.random.default_rng(0)
    bars = pd.date_range("2015-01-01", periods=2500, freq="D", tz="UTC")
    times = pd.DatetimeIndex(np.sort(rng.integers(bars[0].value, bars[-1].value, 5000)), tz="UTC")
    news = pd.DataFrame({"published_at": times, "symbols": [["A"]] * len(times),
                         "score": rng.uniform(-1, 1, len(times))})
    hl = pd.Timedelta("3D")
    t_naive = _timed(_naive_aggregate, times, news["score"].to_numpy(), bars + pd.Timedelta("1D"), hl)
    t_fast = _timed(lambda: aggregate_sentiment(news, bars, symbol="A", half_life=hl))
    print(f"\n{'aggregation (2,500 bars, 5,000 items)':<40}{'seconds':>10}{'speed-up':>10}")
    print(f"{'naive per-bar loop (reference)':<40}{t_naive:>10.3f}{1.0:>10.2f}")
    print(f"{'aggregate_sentiment':<40}{t_fast:>10.3f}{t_naive / t_fast:>10.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
