"""The figure check: every number in a report must appear in the writer's context.

Numbers are compared as normalised absolute decimals (``"1,234.50"`` -> ``"1234.5"``; a sign is
not part of the figure, since prose says "down 3.1%" for "-3.10%"). Markdown ordered-list markers
(``1.`` at the start of a line) and citation markers ``[n]`` are structure, not figures, and are
not checked (citations are checked against the numbered passages instead).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
_LIST_MARKER = re.compile(r"^(\s*)\d+\.\s", re.M)
_CITATION = re.compile(r"\[(\d+)\]")
_URL = re.compile(r"https?://\S+")


def normalise(token: str) -> str:
    """Canonical text of a number token.

    >>> normalise("1,234.50"), normalise("007"), normalise("12.0")
    ('1234.5', '7', '12')
    """
    raw = token.replace(",", "")
    try:
        d = Decimal(raw)
    except InvalidOperation:
        return raw
    text = format(d.normalize(), "f")
    return text


def numbers(text: str) -> list[str]:
    """The figures of ``text`` (list markers, citation markers and URLs removed), normalised."""
    body = _URL.sub(" ", text)
    body = _LIST_MARKER.sub(r"\1", body)
    body = _CITATION.sub(" ", body)
    return [normalise(m.group(0)) for m in _NUMBER.finditer(body)]


def unsupported_figures(report: str, context: str) -> list[str]:
    """Figures of ``report`` that do not occur in ``context`` (sorted, unique).

    >>> unsupported_figures("Revenue rose 12.5% to 300", "revenue +12.50%, 300 units")
    []
    >>> unsupported_figures("EPS was 4.2", "EPS 4.1")
    ['4.2']
    """
    allowed = set(numbers(context))
    return sorted({n for n in numbers(report) if n not in allowed})


def bad_citations(report: str, n_passages: int) -> list[int]:
    """Citation numbers ``[n]`` that point to no passage."""
    return sorted({int(m) for m in _CITATION.findall(report) if not 1 <= int(m) <= n_passages})
