"""HTML building blocks of the run report: escaped tables, sections, the self-contained page."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

import plotly.io as pio
from plotly.offline import get_plotlyjs

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:16px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;opacity:.9;font-size:13px}
nav{padding:8px 28px;background:#e9eef3;font-size:13px;position:sticky;top:0;z-index:10}
nav a{margin-right:14px;color:#1f3b57;text-decoration:none}
main{padding:10px 28px 40px}section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;
padding:12px 18px;margin:16px 0}h2{font-size:18px;margin:4px 0 10px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0 10px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f1f4f7}
td:first-child,th:first-child{text-align:left}.note{color:#8a5a00;font-size:13px}
.muted{color:#666;font-size:12.5px}.chart{min-height:300px}pre{font-size:12px;overflow:auto}
"""

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def fmt(value: Any) -> str:
    """Format a cell: integers with separators, floats to 4 significant digits, blanks as a dash.

    >>> fmt(1234567), fmt(0.123456), fmt(None), fmt(float("nan")), fmt("a<b")
    ('1,234,567', '0.1235', '–', '–', 'a&lt;b')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1000:
            return f"{int(value):,}"
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return html.escape(str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str = "") -> str:
    """Return an escaped HTML table."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>" for row in rows)
    cap = f"<caption class='muted'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def note(text: str) -> str:
    """Return an escaped note paragraph."""
    return f"<p class='note'>{html.escape(text)}</p>"


def para(text: str) -> str:
    """Return an escaped muted paragraph."""
    return f"<p class='muted'>{html.escape(text)}</p>"


class Page:
    """Collect sections and charts, then render one self-contained HTML document."""

    def __init__(self, title: str, subtitle: Sequence[str]) -> None:
        self.title = title
        self.subtitle = list(subtitle)
        self.sections: list[tuple[str, str, list[str]]] = []
        self._charts = 0

    def section(self, anchor: str, heading: str) -> list[str]:
        """Start a section and return the list its HTML parts are appended to."""
        parts: list[str] = []
        self.sections.append((anchor, heading, parts))
        return parts

    def chart(self, fig: Any) -> str:
        """Return the HTML of ``fig`` as a div (plotly.js itself is inlined once in the head)."""
        self._charts += 1
        return "<div class='chart'>" + pio.to_html(
            fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{self._charts}",
            config=_PLOT_CONFIG) + "</div>"

    @property
    def n_charts(self) -> int:
        return self._charts

    def render(self) -> str:
        nav = "".join(f"<a href='#{a}'>{html.escape(h)}</a>" for a, h, _ in self.sections)
        body = "".join(f"<section id='{a}'><h2>{html.escape(h)}</h2>{''.join(p)}</section>"
                       for a, h, p in self.sections)
        sub = "".join(f"<p>{html.escape(s)}</p>" for s in self.subtitle)
        # plotly.js is inlined (not the CDN) so the page renders offline and from file://.
        return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                f"<title>{html.escape(self.title)}</title><style>{_CSS}</style>"
                f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
                f"<header><h1>{html.escape(self.title)}</h1>{sub}</header><nav>{nav}</nav>"
                f"<main>{body}</main></body></html>")
