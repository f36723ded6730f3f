"""Write a research report for a symbol as of a date: retrieve, compute, write, check, render."""

from __future__ import annotations

import functools
import html as _html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from trading_signals.data.schema import check_symbol
from trading_signals.errors import DataError
from trading_signals.research.context import SECTION_QUERIES, ReportContext, build_context
from trading_signals.research.documents import parse_as_of
from trading_signals.research.figures import bad_citations, numbers, unsupported_figures
from trading_signals.research.retrieval import Passage, retrieve
from trading_signals.research.writers import LLMWriter, OfflineWriter, writer_from_env

PASSAGES_PER_SECTION = 3
DEMO_SYNTHETIC = 200
_CSS = """body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;color:#1d2330}h1{font-size:1.6rem}h2{border-bottom:1px solid
#dde;padding-bottom:.2rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #dde;padding:.25rem .6rem;text-align:left}blockquote{margin:.6rem 0;
padding:.3rem .9rem;border-left:4px solid #8aa4d6;background:#f5f7fc}.meta{color:#667;
font-size:.85rem}.flag{color:#a00;font-weight:600}"""


@dataclass(frozen=True)
class ResearchReport:
    """A written report: Markdown, its sources and metadata (writer, checks, provenance)."""

    symbol: str
    as_of: pd.Timestamp
    markdown: str
    sources: list[dict[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)

    def html(self) -> str:
        """A self-contained HTML page (inline CSS, no scripts, raw HTML in passages escaped)."""
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark", {"html": False}).enable("table").render(self.markdown)
        flag = ""
        if self.metadata.get("flagged"):
            figs = ", ".join(self.metadata.get("unsupported_figures", []))
            flag = f'<p class="flag">Figures not found in the context: {_html.escape(figs)}</p>'
        meta = _html.escape(f"writer {self.metadata.get('writer')} | context "
                            f"{self.metadata.get('context_digest')}")
        title = _html.escape(f"{self.symbol} research report as of {self.as_of:%Y-%m-%d}")
        return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}'
                f"</title><style>{_CSS}</style></head><body>{flag}{body}"
                f'<p class="meta">{meta}</p></body></html>\n')

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (what the HTTP endpoint returns)."""
        return {"symbol": self.symbol, "as_of": self.as_of.isoformat(), "markdown": self.markdown,
                "sources": self.sources, "metadata": self.metadata}


def retrieve_sections(store: Any, symbol: str, as_of: pd.Timestamp, *,
                      k: int = PASSAGES_PER_SECTION) -> dict[str, list[Passage]]:
    """Retrieve ``k`` passages per report section (point in time)."""
    return {s: retrieve(store, q, symbol=symbol, as_of=as_of, k=k) for s, q in SECTION_QUERIES.items()}


def write_report(symbol: str, as_of: Any, *, store: Any, bars: pd.DataFrame | None = None,
                 fundamentals: Mapping[str, Any] | None = None,
                 writer: OfflineWriter | LLMWriter | None = None,
                 k: int = PASSAGES_PER_SECTION, mc_paths: int | None = None) -> ResearchReport:
    """Write the report on ``symbol`` as of ``as_of``.

    Parameters
    ----------
    store
        Research vector store (see :func:`trading_signals.research.stores.open_store`); None
        writes a figures-only report (no passages).
    bars
        The symbol's OHLCV bars (any length; cut at ``as_of`` here). None: no technical,
        signal or risk sections (passages only).
    fundamentals
        Optional figures to include verbatim (e.g. ``{"P/E": 18.2}``).
    writer
        :class:`OfflineWriter` or :class:`LLMWriter`; from the environment when None.

    Returns
    -------
    ResearchReport
        ``metadata["unsupported_figures"]`` lists figures of the text absent from the context
        (``flagged`` is True when any), ``bad_citations`` lists ``[n]`` that match no passage.
    """
    check_symbol(symbol)
    cutoff = parse_as_of(as_of)
    writer = writer or writer_from_env()
    passages = retrieve_sections(store, symbol, cutoff, k=k) if store is not None else {}
    kw = {} if mc_paths is None else {"mc_paths": mc_paths}
    ctx = build_context(symbol, cutoff, bars, passages, fundamentals=fundamentals, **kw)
    body = writer.write(ctx)
    return finish_report(ctx, body, writer)


def finish_report(ctx: ReportContext, body: str, writer: Any) -> ResearchReport:
    """Check ``body`` against the context, append the source list, and build the report."""
    context_text = ctx.text()
    missing = unsupported_figures(body, context_text)
    cites = bad_citations(body, len(ctx.numbered()))
    sources = ctx.sources()
    lines = ["", "## Sources", ""]
    lines += [f"{s['n']}. {s['source']} ({s['type']}, {s['published_at'][:10]}): {s['title']}"
              + (f" <{s['url']}>" if s["url"] else "") for s in sources] or ["(none retrieved)"]
    meta = {"writer": writer.name, "model": getattr(writer, "model", None),
            "as_of": ctx.as_of.isoformat(), "context_digest": ctx.digest(),
            "figures_checked": len(numbers(body)), "unsupported_figures": missing,
            "bad_citations": cites, "flagged": bool(missing or cites),
            "passages": len(sources), "bars": ctx.notes.get("bars", 0),
            "latest_passage": max((s["published_at"] for s in sources), default=None)}
    return ResearchReport(symbol=ctx.symbol, as_of=ctx.as_of, markdown=body + "\n".join(lines) + "\n",
                          sources=sources, metadata=meta)


def load_bars(symbol: str, *, lake: str | Path | None = None, timeframe: str = "1d"
              ) -> pd.DataFrame | None:
    """Bars for a report: from ``lake``; else the packaged sample (SP500, NASDAQ) or the demo's
    seeded synthetic universe (``SYN0000``...); None for other symbols without a lake."""
    if lake is not None:
        from trading_signals.data.lake import read_bars

        return read_bars(lake, symbol=symbol, timeframe=timeframe)
    from trading_signals.data.sample import sample_symbols

    if symbol.upper() in sample_symbols():
        from trading_signals.data.gate import run_gate
        from trading_signals.data.sample import load_sample

        raw = load_sample([symbol])[0]
        res = run_gate(raw.frame, source=raw.source, symbol=raw.symbol, timeframe=raw.timeframe)
        return res.clean[raw.symbol or symbol]
    if symbol.startswith("SYN") and symbol[3:].isdigit() and int(symbol[3:]) < DEMO_SYNTHETIC:
        return _demo_universe()[symbol].copy()
    return None


@functools.lru_cache(maxsize=1)
def _demo_universe() -> dict[str, pd.DataFrame]:
    from trading_signals.data.synthetic import generate_universe

    # The demo's universe (`tsig demo` defaults: 200 symbols, 2520 bars, seed 0); a smaller
    # universe draws different paths, so the whole one is generated once (~0.5 s, ~20 MB).
    return dict(generate_universe(DEMO_SYNTHETIC, 2520, seed=0).bars)


def report_file_names(symbol: str, as_of: pd.Timestamp) -> tuple[str, str]:
    """``(markdown, html)`` file names of a report."""
    stem = f"{symbol}_{as_of:%Y-%m-%d}_research"
    return f"{stem}.md", f"{stem}.html"


def require_bars_before(bars: pd.DataFrame, as_of: pd.Timestamp, symbol: str) -> None:
    """Raise a clear error when no bar precedes ``as_of``."""
    if bars.index[0] > as_of:
        raise DataError(f"{symbol}: the first bar is {bars.index[0]:%Y-%m-%d}, after --as-of "
                        f"{as_of:%Y-%m-%d}; pick a later date")
