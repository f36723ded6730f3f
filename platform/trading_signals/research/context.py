"""The report context: the platform's own numbers plus retrieved passages, as of a date.

Everything a writer may state comes from here. :meth:`ReportContext.text` is the exact text given
to a writer (and to an LLM as its prompt context); the figure check compares a report's numbers
with the numbers of that text.

No look-ahead: bars are cut at ``as_of`` before anything is computed, and passages come from
point-in-time retrieval.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.errors import DataError
from trading_signals.research.retrieval import Passage

# Section -> retrieval query. Each section gets its own passages (deduplicated in order).
SECTION_QUERIES: dict[str, str] = {
    "thesis": "investment thesis, strategy, growth outlook and guidance",
    "fundamentals": "revenue, margins, earnings, cash flow and balance sheet",
    "news": "latest news and announcements",
    "catalysts": "upcoming catalysts: launches, approvals, earnings dates, buybacks, guidance",
    "risks": "risks, headwinds, competition, litigation, regulation, debt",
}
MC_PATHS = 2000
MC_HORIZON = 21
MC_LOOKBACK = 756
MC_SEED = 0


def fmt_pct(x: float) -> str:
    """Format a fraction as a percentage with two decimals (``0.1234 -> '12.34%'``)."""
    return "n/a" if not np.isfinite(x) else f"{100.0 * x:.2f}%"


def fmt_num(x: float, digits: int = 2) -> str:
    """Format a number with fixed decimals (no thousands separator)."""
    return "n/a" if not np.isfinite(x) else f"{x:.{digits}f}"


@dataclass(frozen=True)
class ReportContext:
    """Facts by section (label -> formatted value), passages by section, and provenance."""

    symbol: str
    as_of: pd.Timestamp
    facts: dict[str, dict[str, str]]
    passages: dict[str, list[Passage]]
    notes: dict[str, Any] = field(default_factory=dict)

    def numbered(self) -> list[Passage]:
        """All passages, deduplicated, in section order; their position + 1 is the citation."""
        seen: dict[str, Passage] = {}
        for section in SECTION_QUERIES:
            for p in self.passages.get(section, []):
                seen.setdefault(p.chunk_id, p)
        return list(seen.values())

    def cite(self, p: Passage) -> int:
        """Citation number of passage ``p``."""
        return [q.chunk_id for q in self.numbered()].index(p.chunk_id) + 1

    def text(self) -> str:
        """The context as given to a writer (deterministic for the same inputs)."""
        lines = [f"Symbol: {self.symbol}", f"As of (UTC): {self.as_of.isoformat()}", ""]
        for section, facts in self.facts.items():
            if facts:
                lines.append(f"## Platform figures: {section}")
                lines.extend(f"- {k}: {v}" for k, v in facts.items())
                lines.append("")
        lines.append("## Retrieved passages (published at or before the as-of time)")
        for i, p in enumerate(self.numbered(), start=1):
            lines.append(f"[{i}] {p.source} | {p.doc_type} | {p.date} | {p.title}")
            lines.append(p.text.replace("\n", " "))
        return "\n".join(lines)

    def sources(self) -> list[dict[str, Any]]:
        """Source list (one entry per cited passage, numbered)."""
        return [{"n": i, **p.source_dict()} for i, p in enumerate(self.numbered(), start=1)]

    def digest(self) -> str:
        """sha256 of :meth:`text` (first 16 hex): caches and reports name their context."""
        return hashlib.sha256(self.text().encode("utf-8")).hexdigest()[:16]


def technical_facts(bars: pd.DataFrame) -> dict[str, str]:
    """Last close, trailing returns, moving averages and volatility from ``bars`` (all <= as_of)."""
    close = bars["close"].astype(float)
    out = {"last bar": bars.index[-1].strftime("%Y-%m-%d"), "last close": fmt_num(close.iat[-1])}
    for label, n in (("1-month return", 21), ("3-month return", 63), ("12-month return", 252)):
        if len(close) > n:
            out[label] = fmt_pct(close.iat[-1] / close.iat[-1 - n] - 1.0)
    for n in (50, 200):
        if len(close) >= n:
            sma = float(close.iloc[-n:].mean())
            out[f"{n}-day moving average"] = fmt_num(sma)
            out[f"close vs {n}-day average"] = fmt_pct(close.iat[-1] / sma - 1.0)
    rets = close.pct_change().iloc[-63:].dropna()
    if len(rets) > 10:
        out["63-day annualised volatility"] = fmt_pct(float(rets.std(ddof=1) * np.sqrt(252)))
    return out


def signal_facts(bars: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, str]:
    """The confluence signal at the last bar <= ``as_of`` with its component contributions."""
    from trading_signals.signals.engine import generate_signals
    from trading_signals.signals.summary import summary_at

    sig = generate_signals(bars)
    try:
        s = summary_at(sig, symbol=str(bars.attrs.get("symbol", "")), at=as_of)
    except DataError:
        return {"signal": "none (indicators still warming up)"}
    row = sig.loc[s["timestamp"]]
    out = {"signal": str(s["signal"]), "signal bar": s["timestamp"].strftime("%Y-%m-%d"),
           "confluence score": fmt_num(s["confluence_score"], 3),
           "confidence": fmt_num(s["confidence"], 3)}
    for col in sig.columns:
        if col.startswith("contrib_") and np.isfinite(row[col]):
            out[f"contribution {col.removeprefix('contrib_')}"] = f"{row[col]:+.3f}"
    return out


def risk_facts(bars: pd.DataFrame, *, n_paths: int = MC_PATHS, horizon: int = MC_HORIZON,
               lookback: int = MC_LOOKBACK, seed: int = MC_SEED) -> dict[str, str]:
    """Monte Carlo (stationary block bootstrap) VaR/CVaR and drawdowns of holding the symbol."""
    from trading_signals.risk.metrics import max_drawdown
    from trading_signals.risk.montecarlo import run_montecarlo

    rets = bars["close"].astype(float).pct_change().dropna().to_numpy()[-lookback:]
    if len(rets) < 60:
        return {"risk": f"not computed: {len(rets)} daily returns, need at least 60"}
    mc = run_montecarlo(rets, model="bootstrap", n_paths=n_paths, horizon=horizon, seed=seed)
    s = mc.summary
    return {"Monte Carlo model": f"block bootstrap of the last {len(rets)} daily returns, "
                                f"{n_paths} paths, {horizon}-bar horizon, seed {seed}",
            "VaR 95%": fmt_pct(s["var_95"]), "CVaR 95%": fmt_pct(s["cvar_95"]),
            "VaR 99%": fmt_pct(s["var_99"]), "CVaR 99%": fmt_pct(s["cvar_99"]),
            "probability of loss": fmt_pct(s["prob_loss"]),
            "median max drawdown over the horizon": fmt_pct(s["max_drawdown_p50"]),
            "95th percentile max drawdown over the horizon": fmt_pct(s["max_drawdown_p95"]),
            "historical max drawdown (lookback)": fmt_pct(max_drawdown(rets))}


def sentiment_facts(passages: Sequence[Passage]) -> dict[str, str]:
    """Mean lexicon sentiment of the retrieved news passages (score in [-1, 1])."""
    news = [p for p in passages if p.doc_type == "news"]
    if not news:
        return {"news passages scored": "0"}
    from trading_signals.sentiment.registry import get_scorer

    scores = get_scorer("lexicon").score([p.text for p in news])
    labels = list(scores.label)
    return {"news passages scored": str(len(news)),
            "mean news sentiment": fmt_num(float(np.mean(scores.score)), 3),
            "positive passages": str(labels.count("positive")),
            "negative passages": str(labels.count("negative"))}


def build_context(symbol: str, as_of: pd.Timestamp, bars: pd.DataFrame | None,
                  passages: Mapping[str, list[Passage]], *,
                  fundamentals: Mapping[str, Any] | None = None,
                  mc_paths: int = MC_PATHS) -> ReportContext:
    """Compute the platform's figures from bars cut at ``as_of`` and bundle the passages."""
    facts: dict[str, dict[str, str]] = {}
    notes: dict[str, Any] = {}
    if bars is not None:
        cut = bars.loc[:as_of]
        if len(cut) < 2:
            raise DataError(f"{symbol}: {len(cut)} bar(s) at or before {as_of}; pick a later "
                            "--as-of or import more history")
        cut.attrs.update(bars.attrs, symbol=symbol)
        facts["technical"] = technical_facts(cut)
        facts["signal"] = signal_facts(cut, as_of)
        facts["risk"] = risk_facts(cut, n_paths=mc_paths)
        notes["bars"] = len(cut)
    else:
        notes["bars"] = 0
    if fundamentals:
        facts["fundamentals"] = {str(k): _fmt_value(v) for k, v in fundamentals.items()}
    all_passages = [p for ps in passages.values() for p in ps]
    facts["sentiment"] = sentiment_facts(list({p.chunk_id: p for p in all_passages}.values()))
    return ReportContext(symbol=symbol, as_of=as_of, facts=facts,
                         passages={k: list(v) for k, v in passages.items()}, notes=notes)


def _fmt_value(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        return str(v)
    return fmt_num(float(v)) if isinstance(v, float) else str(v)
