"""Cues of market headlines and trader posts: analyst actions, targets, guidance, beats and moves.

Financial news sentences ("Operating profit rose to EUR 5 mn") carry sentiment through a metric
and a direction, which :mod:`trading_signals.sentiment.lexicon` scores. Headlines and posts are
written differently: "Acme cut to Sell at Foo", "PT raised to $95 from $80", "pulls guidance",
"Q1 EPS $1.18 vs. $0.97 expected", "stock craters". These rules read those forms; they run
before the sentence rules and mark the tokens they use so nothing is counted twice.

Notes
-----
Each text is scored alone, so the rules add no time dependence (no look-ahead).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Analyst ratings by class: +1 buy-side, 0 hold, -1 sell-side (multi-word ones are joined).
RATINGS = {
    **dict.fromkeys(("buy", "strong_buy", "outperform", "overweight", "accumulate", "add",
                     "market_outperform", "sector_outperform", "conviction_buy"), 1),
    **dict.fromkeys(("hold", "neutral", "in_line", "equal_weight", "market_perform",
                     "sector_perform", "peer_perform", "market_weight", "sector_weight"), 0),
    **dict.fromkeys(("sell", "strong_sell", "underperform", "underweight", "reduce",
                     "market_underperform", "sector_underperform"), -1),
}
_UPGRADE = frozenset({"upgrade", "upgrades", "upgraded", "raise", "raises", "raised", "lift",
                      "lifts", "lifted", "ups", "upped", "up", "boost", "boosts", "boosted",
                      "hike", "hikes", "hiked", "moves_up", "moved_up"})
_DOWNGRADE = frozenset({"downgrade", "downgrades", "downgraded", "cut", "cuts", "lower", "lowers",
                        "lowered", "trim", "trims", "trimmed", "slash", "slashes", "slashed",
                        "reduce", "reduces", "reduced", "down", "moves_down", "moved_down"})
_INITIATE = frozenset({"initiate", "initiates", "initiated", "initiating", "start", "starts",
                       "started", "begin", "begins", "began", "launch", "launches", "launched",
                       "assume", "assumes", "assumed", "resume", "resumes", "resumed", "coverage"})
_REITERATE = frozenset({"reiterate", "reiterates", "reiterated", "maintain", "maintains",
                        "maintained", "keep", "keeps", "kept", "reaffirm", "reaffirms",
                        "reaffirmed", "affirm", "affirms", "affirmed", "retain", "retains",
                        "rated", "rates", "rating", "says", "sees"})
_TARGETS = frozenset({"target", "targets", "price_target", "target_price", "pt", "pts",
                      "price_objective"})
# Forward-looking items a company can withdraw; withdrawing any of them is bad news.
_WITHDRAWABLE = frozenset({"guidance", "outlook", "forecast", "forecasts", "view", "dividend",
                           "dividends", "payout", "buyback", "targets"})
_WITHDRAW = frozenset({"pull", "pulls", "pulled", "withdraw", "withdraws", "withdrew",
                       "withdrawn", "suspend", "suspends", "suspended", "scrap", "scraps",
                       "scrapped", "halt", "halts", "halted", "axe", "axes", "axed", "drop",
                       "drops", "dropped", "abandon", "abandons", "abandoned"})
_EXPECTATIONS = frozenset({"estimate", "estimates", "est", "expectations", "expected",
                           "consensus", "street", "forecasts", "views", "view", "guidance"})
_ABOVE = frozenset({"above", "ahead", "beyond", "over", "tops", "topped", "top", "beats",
                    "beat", "exceeds", "exceeded", "crushes", "smashes", "surpasses"})
_BELOW = frozenset({"below", "short", "under", "shy", "misses", "missed", "miss", "lags",
                    "trails", "behind"})
_GUIDES = frozenset({"guides", "guided", "guide", "sees", "forecasts", "projects", "expects"})


def _near(tokens: list[str], i: int, words: Iterable[str] | frozenset[str], back: int,
          ahead: int = 0) -> int | None:
    words = words if isinstance(words, frozenset) else frozenset(words)
    for j in range(max(0, i - back), min(len(tokens), i + ahead + 1)):
        if j != i and tokens[j] in words:
            return j
    return None


def rating_action(tokens: list[str], i: int) -> tuple[float, list[int]]:
    """Return (evidence, tokens used) of an analyst rating at ``tokens[i]`` (0 if not one).

    >>> rating_action("acme cut to sell at foo".split(), 3)
    (-1.0, [3, 1])
    >>> rating_action("foo moves acme to neutral from buy".split(), 4)
    (-1.0, [4, 6])
    """
    rating = RATINGS.get(tokens[i])
    if rating is None:
        return 0.0, []
    prev = tokens[i - 1] if i > 0 else ""
    if prev in ("to", "a", "an") and i + 2 < len(tokens) and tokens[i + 1] == "from" \
            and tokens[i + 2] in RATINGS:  # "to Neutral from Buy": compare the two ranks
        step = rating - RATINGS[tokens[i + 2]]
        return float((step > 0) - (step < 0)), [i, i + 2]
    if prev in _REITERATE or prev in _INITIATE:  # "reiterates Buy", "initiates Outperform"
        return float(rating), [i, i - 1]
    if prev not in ("to", "at", "with", "a", "an", "as", "of") and tokens[i + 1:i + 2] != ["rating"]:
        return 0.0, []  # "buy", "hold", "add" are ordinary words outside a rating phrase
    verb = _near(tokens, i, _UPGRADE | _DOWNGRADE, back=6)
    if verb is not None and prev == "to":
        return (1.0 if tokens[verb] in _UPGRADE else -1.0), [i, verb]
    anchor = _near(tokens, i, _INITIATE | _REITERATE | _UPGRADE | _DOWNGRADE, back=8)
    if anchor is not None or tokens[i + 1:i + 2] == ["rating"]:
        return float(rating), [i] + ([anchor] if anchor is not None else [])
    return 0.0, []


def target_move(tokens: list[str], i: int) -> tuple[float, list[int]]:
    """Return (evidence, tokens used) of a price-target change at ``tokens[i]``.

    >>> target_move("foo raises acme pt to 95".split(), 3)
    (1.0, [3, 1])
    """
    if tokens[i] not in _TARGETS:
        return 0.0, []
    j = _near(tokens, i, _UPGRADE | _DOWNGRADE, back=4, ahead=2)
    if j is None or tokens[j] in ("up", "down"):
        return 0.0, []
    return (1.0 if tokens[j] in _UPGRADE else -1.0), [i, j]


def withdrawal(tokens: list[str], i: int) -> tuple[float, list[int]]:
    """Return (evidence, tokens used) when ``tokens[i]`` withdraws guidance, a dividend...

    >>> withdrawal("acme pulls full year guidance".split(), 1)
    (-1.0, [1, 4])
    """
    if tokens[i] not in _WITHDRAW:
        return 0.0, []
    j = _near(tokens, i, _WITHDRAWABLE, back=0, ahead=4)
    return (-1.0, [i, j]) if j is not None else (0.0, [])


def versus_expectations(tokens: list[str], i: int) -> tuple[float, list[int]]:
    """Return (evidence, tokens used) for "above/below estimates", "beats/misses consensus".

    >>> versus_expectations("guides q3 revenue above street estimates".split(), 3)
    (1.0, [3, 4])
    """
    above, below = tokens[i] in _ABOVE, tokens[i] in _BELOW
    if not (above or below):
        return 0.0, []
    j = _near(tokens, i, _EXPECTATIONS, back=0, ahead=4)
    if j is None:
        return 0.0, []
    return (1.0 if above else -1.0), [i, j]


RULES = (rating_action, target_move, withdrawal, versus_expectations)


def headline_evidence(tokens: list[str], used: set[int]) -> float:
    """Return the evidence of every headline cue in ``tokens``, adding their tokens to ``used``."""
    total = 0.0
    for i in range(len(tokens)):
        if i in used:
            continue
        for rule in RULES:
            value, spent = rule(tokens, i)
            if value or spent:
                used.update(spent)
                total += value
                break
    return total


HEADLINE_MAX_WORDS = 16
_CASHTAG = re.compile(r"(?<![\w$])\$[A-Za-z]{1,6}\b")


def is_headline(text: str) -> bool:
    """Return whether ``text`` reads as a headline or a trader post rather than a news sentence.

    Headlines are short (wire style guides aim at about 10-12 words; we allow up to
    ``HEADLINE_MAX_WORDS``) and carry no closing full stop; posts name tickers as cashtags
    (``$ACME``). News sentences keep the sentence rules only, so the headline vocabulary cannot
    shift them.

    >>> is_headline("Acme shares slide after CEO exit"), is_headline("Sales rose 5 % .")
    (True, False)
    >>> is_headline("Loaded more $ACME calls, going to the moon!")
    True
    """
    stripped = text.rstrip()
    if _CASHTAG.search(stripped):
        return True
    short = len(stripped.split()) <= HEADLINE_MAX_WORDS
    return short and not stripped.endswith((".", "!", "?", '."', ".'"))
