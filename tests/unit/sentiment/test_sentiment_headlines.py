"""Headline and trader-post rules: analyst actions, targets, guidance, beats, market moves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trading_signals.data.news import read_labelled_sentences
from trading_signals.sentiment import evaluate_scorer, get_scorer
from trading_signals.sentiment.headlines import (
    headline_evidence,
    is_headline,
    rating_action,
    target_move,
    versus_expectations,
    withdrawal,
)
from trading_signals.sentiment.lexicon import LexiconScorer, default_lexicon, headline_lexicon

RES = Path(__file__).resolve().parents[3] / "platform" / "trading_signals" / "resources" / "sentiment"
PHRASEBANK = Path(__file__).resolve().parents[4] / "shared" / "eval" / "financial_phrasebank_allagree.txt"


def _label(text: str) -> str:
    return get_scorer("default").score([text]).label[0]


@pytest.mark.parametrize("text,label", [
    ("Acme downgraded to Sell at Foo Securities", "negative"),
    ("Foo cuts Acme to Underweight on valuation", "negative"),
    ("Acme upgraded to Outperform at Bar & Co", "positive"),
    ("Bar moves Acme to Neutral from Buy", "negative"),
    ("Bar moves Acme to Neutral from Sell", "positive"),
    ("Baz initiates Acme at Buy", "positive"),
    ("Acme initiated at Underperform at Baz", "negative"),
    ("Baz initiates coverage of Acme at Equal Weight", "neutral"),
    ("Qux reiterates Sell on Acme", "negative"),
    ("Acme price target raised to $95 from $80 at Qux", "positive"),
    ("Qux lowers Acme PT to $12", "negative"),
    ("Acme pulls full-year guidance", "negative"),
    ("Acme suspends dividend", "negative"),
    ("Acme raises outlook after strong quarter", "positive"),
    ("Acme Q1 EPS $1.18 vs. $0.97 expected", "positive"),
    ("Acme Q1 revenue $4.1B vs $4.4B consensus", "negative"),
    ("Acme guides below Street estimates", "negative"),
    ("Acme stock craters after trial failure", "negative"),
    ("Acme soars 20% on takeover bid", "positive"),
    ("$ACME short squeeze incoming, super bullish", "positive"),
    ("$ACME bagholders crushed again, lower highs all week", "negative"),
    ("Acme to report earnings on Thursday", "neutral"),
])
def test_headline_cases_get_the_expected_label(text: str, label: str) -> None:
    assert _label(text) == label


def test_rating_words_outside_a_rating_phrase_are_not_ratings() -> None:
    tokens = headline_lexicon().tokenize("Investors buy the dip and hold on")
    assert all(rating_action(tokens, i) == (0.0, []) for i in range(len(tokens)))


def test_each_rule_marks_what_it_used_so_nothing_counts_twice() -> None:
    tokens = headline_lexicon().tokenize("Foo cuts Acme to Sell")
    used: set[int] = set()
    assert headline_evidence(tokens, used) == -1.0
    assert {tokens[i] for i in used} == {"cuts", "sell"}


def test_rule_functions_ignore_unrelated_tokens() -> None:
    tokens = "sales rose in the quarter".split()
    for rule in (rating_action, target_move, withdrawal, versus_expectations):
        assert all(rule(tokens, i) == (0.0, []) for i in range(len(tokens)))


def test_is_headline_separates_registers() -> None:
    assert is_headline("Acme shares slide after CEO exit")
    assert is_headline("Loaded $ACME calls, going to the moon!")
    assert not is_headline("Operating profit rose to EUR 5 mn from EUR 3 mn .")
    long_unpunctuated = " ".join(["word"] * 30)
    assert not is_headline(long_unpunctuated)


def test_news_sentences_are_scored_exactly_as_by_the_sentence_rules() -> None:
    texts, _ = read_labelled_sentences(RES / "holdout_sentences.txt")
    sentence_only = LexiconScorer(lexicon=default_lexicon())
    both = LexiconScorer()
    sentences = [t for t in texts if not is_headline(t)]
    assert sentences
    assert [both.evidence(t) for t in sentences] == [sentence_only.evidence(t) for t in sentences]


def test_authored_headline_holdout_macro_f1_at_least_0_70() -> None:
    texts, labels = read_labelled_sentences(RES / "headlines_holdout.txt")
    report = evaluate_scorer(get_scorer("default"), texts, labels)
    assert report["n"] == len(texts) >= 80
    assert report["macro_f1"] >= 0.70, report


def test_phrasebank_stays_at_or_above_0_85() -> None:
    if not PHRASEBANK.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{PHRASEBANK} is missing; CI lays shared/ beside the checkout")
        pytest.skip("shared/eval not beside this checkout")
    texts, labels = read_labelled_sentences(PHRASEBANK)
    assert evaluate_scorer(get_scorer("default"), texts, labels)["macro_f1"] >= 0.85
