"""Rebuild ``resources/sentiment/embedding_head.npz`` from authored data only.

Run: ``python -m trading_signals.sentiment.build_head``. Uses the templated corpus
(:func:`generate_corpus`, seed 0) plus the authored dev sentences; never the evaluation set.
"""

from __future__ import annotations

from trading_signals.data.news import read_labelled_sentences
from trading_signals.sentiment.corpus import _RESOURCES, generate_corpus
from trading_signals.sentiment.embedding import HEAD_PATH, fit_embedding_head, save_head


def main() -> None:
    """Fit the head and write it next to the other sentiment resources."""
    texts, labels = generate_corpus(seed=0, n_per_label=400)
    dev_t, dev_y = read_labelled_sentences(_RESOURCES / "dev_sentences.txt")
    head = fit_embedding_head(texts + dev_t, labels + dev_y)
    save_head(head, HEAD_PATH)
    print(f"wrote {HEAD_PATH} from {len(texts) + len(dev_t)} authored sentences")


if __name__ == "__main__":
    main()
