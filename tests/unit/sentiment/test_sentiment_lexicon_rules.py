"""Rule scorer: metric polarity x direction, negation, contrast, numeric comparison (authored sentences)."""

from __future__ import annotations

import numpy as np
import pytest
from trading_signals.errors import ConfigError
from trading_signals.sentiment import SentimentScorer, SentimentScores, get_scorer
from trading_signals.sentiment.lexicon import LexiconScorer, evidence_to_probs


@pytest.fixture(scope="module")
def scorer() -> LexiconScorer:
    return LexiconScorer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Net sales rose 12 % in the quarter .", "positive"),
        ("Net sales fell 12 % in the quarter .", "negative"),
        ("The operating loss narrowed to EUR 2 mn .", "positive"),
        ("The operating loss widened to EUR 9 mn .", "negative"),
        ("Costs rose sharply in the period .", "negative"),
        ("Costs were cut by 10 % .", "positive"),
        ("Margins were squeezed by higher energy costs .", "negative"),
        ("The firm swung to a net loss in the second quarter .", "negative"),
        ("The firm returned to profit in the second quarter .", "positive"),
        ("Brandt shares lost 4 % on Monday .", "negative"),
        ("Exports fell compared with the very strong first quarter .", "negative"),
        ("The mill will discontinue production of coated board .", "negative"),
    ],
)
def test_lexicon_metric_times_direction_gives_label(scorer: LexiconScorer, text: str, expected: str) -> None:
    assert scorer.score([text]).label == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "The company is headquartered in Oulu and makes forestry machines .",
        "The annual report will be published on 3 March .",
        "Operating profit was EUR 4 mn in the quarter .",
        "The deal is subject to approval by the authorities .",
    ],
)
def test_lexicon_no_direction_or_evaluation_is_neutral(scorer: LexiconScorer, text: str) -> None:
    assert scorer.score([text]).label == ("neutral",)


def test_lexicon_negation_flips_polarity(scorer: LexiconScorer) -> None:
    plain = scorer.evidence("The company expects profit to improve next year .")
    negated = scorer.evidence("The company does not expect profit to improve next year .")
    assert plain > 0 > negated


def test_lexicon_contrast_clause_after_but_dominates(scorer: LexiconScorer) -> None:
    assert scorer.score(["Sales rose slightly , but operating profit fell sharply ."]).label == ("negative",)
    assert scorer.score(["Sales fell slightly , but operating profit rose sharply ."]).label == ("positive",)


def test_lexicon_numeric_comparison_sets_direction(scorer: LexiconScorer) -> None:
    up = "Net sales were EUR 12.0 mn compared with EUR 9.5 mn a year earlier ."
    down = "Net sales were EUR 9.5 mn compared with EUR 12.0 mn a year earlier ."
    assert scorer.score([up, down]).label == ("positive", "negative")


def test_lexicon_scores_satisfy_interface(scorer: LexiconScorer) -> None:
    texts = ["Profit rose .", "Profit fell .", "The meeting is on Monday .", ""]
    s = scorer.score(texts)
    assert isinstance(scorer, SentimentScorer)
    assert isinstance(s, SentimentScores) and len(s) == 4
    np.testing.assert_allclose(s.p_neg + s.p_neu + s.p_pos, 1.0)
    np.testing.assert_allclose(s.score, s.p_pos - s.p_neg)
    assert set(s.label) <= {"negative", "neutral", "positive"}
    assert np.all(np.abs(s.score) <= 1.0)


def test_lexicon_score_is_independent_of_batch(scorer: LexiconScorer) -> None:
    texts = ["Profit rose .", "A lawsuit was filed .", "The office is in Espoo ."]
    alone = np.concatenate([scorer.score([t]).score for t in texts])
    np.testing.assert_array_equal(scorer.score(texts).score, alone)


def test_evidence_to_probs_threshold_is_the_neutral_tie() -> None:
    p = evidence_to_probs(np.array([0.0, 0.5, -0.5, 3.0]), threshold=0.5, sharpness=2.0)
    assert p[0, 1] > p[0, 0] and p[0, 1] > p[0, 2]
    assert p[1, 1] == pytest.approx(p[1, 2]) and p[2, 1] == pytest.approx(p[2, 0])
    assert p[3].argmax() == 2


def test_get_scorer_default_and_lexicon_agree() -> None:
    texts = ["Net sales rose .", "Net sales fell .", "The plant is in Pori ."]
    assert get_scorer("default").score(texts).label == get_scorer("lexicon").score(texts).label
    assert get_scorer("default").name == "default"


def test_get_scorer_unknown_or_missing_path_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown sentiment scorer"):
        get_scorer("vader")
    with pytest.raises(ConfigError, match="model_path"):
        get_scorer("transformer")
    with pytest.raises(ConfigError, match="bad options"):
        get_scorer("lexicon", nonsense=1)


def test_sentiment_scores_from_probs_rejects_negative() -> None:
    from trading_signals.errors import DataError

    with pytest.raises(DataError):
        SentimentScores.from_probs(np.array([[-0.1, 0.5, 0.6]]))
