"""Transformer scorer on a tiny randomly initialised BERT saved to tmp_path (real code path, no download)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from trading_signals.errors import ConfigError
from trading_signals.sentiment import get_scorer
from trading_signals.sentiment.transformer import TransformerScorer, label_order

_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "net", "sales", "rose", "fell", "profit",
          "the", "company", "loss", "narrowed", "is", "in", "helsinki", "."]


def _tiny_model(path: Path, id2label: dict[int, str]) -> Path:
    torch = pytest.importorskip("torch")
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    (path / "vocab.txt").write_text("\n".join(_VOCAB) + "\n", encoding="utf-8")
    tok = BertTokenizer(str(path / "vocab.txt"), do_lower_case=True)
    cfg = BertConfig(vocab_size=len(_VOCAB), hidden_size=16, num_hidden_layers=1,
                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                     num_labels=3, id2label=id2label, label2id={v: k for k, v in id2label.items()})
    torch.manual_seed(0)
    model = BertForSequenceClassification(cfg).eval()
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_model(tmp_path_factory.mktemp("tinybert"),
                       {0: "positive", 1: "negative", 2: "neutral"})


def test_transformer_tiny_model_scores_match_manual_softmax(tiny_dir: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    texts = ["net sales rose .", "the company is in helsinki .", "loss narrowed"]
    scores = get_scorer("transformer", model_path=str(tiny_dir), batch_size=2).score(texts)
    tok = AutoTokenizer.from_pretrained(tiny_dir, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_dir, local_files_only=True).eval()
    with torch.inference_mode():
        logits = model(**tok(texts, padding=True, return_tensors="pt")).logits
    probs = torch.softmax(logits, dim=-1).numpy()
    # id2label = {0: positive, 1: negative, 2: neutral} -> (neg, neu, pos) = columns (1, 2, 0)
    np.testing.assert_allclose(scores.probs(), probs[:, [1, 2, 0]], atol=1e-5)
    np.testing.assert_allclose(scores.score, probs[:, 0] - probs[:, 1], atol=1e-5)
    assert len(scores) == 3


def test_transformer_missing_directory_raises_config_error(tmp_path: Path) -> None:
    scorer = TransformerScorer(model_path=tmp_path / "nope")
    with pytest.raises(ConfigError, match="nothing is downloaded"):
        scorer.score(["net sales rose"])


def test_label_order_unmappable_labels_raise() -> None:
    assert label_order({0: "Bearish", 1: "Neutral", 2: "Bullish"}) == [0, 1, 2]
    with pytest.raises(ConfigError, match="do not map"):
        label_order({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
