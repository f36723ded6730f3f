"""Report writers: offline (deterministic, every figure from the context), an OpenAI-compatible
endpoint (prompt = point-in-time passages with sources and dates; invented figures flagged),
Markdown + self-contained HTML + sources."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from trading_signals.data.synthetic import generate_universe
from trading_signals.research.documents import ResearchDocument, load_documents
from trading_signals.research.embeddings import HashingEmbeddings
from trading_signals.research.indexing import ingest_documents
from trading_signals.research.lance_store import LanceResearchStore
from trading_signals.research.report import retrieve_sections, write_report
from trading_signals.research.context import build_context
from trading_signals.research.writers import LLMWriter, OfflineWriter
from tests.research._fakes import fake_openai

AS_OF = "2018-06-29"
CORPUS = "platform/trading_signals/resources/research/sample_corpus.jsonl"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = LanceResearchStore(str(tmp_path_factory.mktemp("rag")), HashingEmbeddings())
    docs = load_documents(CORPUS)
    docs.append(ResearchDocument("SYN0000", pd.Timestamp("2018-02-01T09:00Z"), "news", "Test Wire",
                                 "Shares rose <script>alert(1)</script> after results.", "html test"))
    ingest_documents(docs, s)
    return s


@pytest.fixture(scope="module")
def bars():
    b = generate_universe(1, 700, seed=5, start="2016-01-04").bars["SYN0000"]
    b.attrs["symbol"] = "SYN0000"
    return b


def _figures(text: str) -> list[float]:
    # Independent of the module under test: strip URLs, citation markers [n] and list markers.
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\[\d+\]", " ", text)
    text = re.sub(r"(?m)^\s*\d+\.\s", " ", text)
    return [float(t.replace(",", "")) for t in re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", text)]


def test_offline_report_every_figure_is_in_the_context(store, bars):
    report = write_report("SYN0000", AS_OF, store=store, bars=bars, writer=OfflineWriter(),
                          mc_paths=500)
    ctx = build_context("SYN0000", report.as_of, bars, retrieve_sections(store, "SYN0000", report.as_of),
                        mc_paths=500)
    allowed = set(_figures(ctx.text()))
    figures = _figures(report.markdown)
    assert len(figures) > 30  # technical, signal, risk, quotes
    assert [f for f in figures if f not in allowed] == []
    assert report.metadata["flagged"] is False and report.metadata["unsupported_figures"] == []
    for section in ("## Thesis", "## Technical picture", "## Sentiment and news",
                    "## Signal and contributions", "## Risk", "## Catalysts", "## Risk factors",
                    "## Sources"):
        assert section in report.markdown
    assert "VaR 95%" in report.markdown and "CVaR 95%" in report.markdown
    assert "## Fundamentals" not in report.markdown  # only when given


def test_offline_report_is_deterministic_and_point_in_time(store, bars):
    a = write_report("SYN0000", AS_OF, store=store, bars=bars, writer=OfflineWriter(), mc_paths=500)
    b = write_report("SYN0000", AS_OF, store=store, bars=bars, writer=OfflineWriter(), mc_paths=500)
    assert a.markdown == b.markdown and a.sources == b.sources
    assert a.sources and all(s["published_at"] <= "2018-06-29T23:59:59.999999+00:00" for s in a.sources)
    # Documents after the as-of date exist for this symbol and must not appear.
    assert "Mexico" not in a.markdown and "patent lawsuit" not in a.markdown.lower()


def test_offline_report_includes_given_fundamentals(store, bars):
    r = write_report("SYN0000", AS_OF, store=store, bars=bars, writer=OfflineWriter(),
                     fundamentals={"P/E": 18.25, "net debt / EBITDA": 0.4}, mc_paths=500)
    assert "## Fundamentals" in r.markdown and "18.25" in r.markdown
    assert not r.metadata["flagged"]


def test_html_is_self_contained_and_escapes_passages(store, bars):
    r = write_report("SYN0000", AS_OF, store=store, bars=None, writer=OfflineWriter(), k=8)
    assert any(s["title"] == "html test" for s in r.sources)
    html = r.html()
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert not re.search(r"<(link|img|script)\b", html)


def test_llm_writer_prompt_has_dated_sourced_passages_none_after_as_of(store, bars):
    reply = "## Thesis\nThe engine reads HOLD as of 2018-06-29 [1].\n"
    with fake_openai(reply) as srv:
        writer = LLMWriter.from_env({"TSIG_LLM_MODEL": "test-model", "TSIG_LLM_BASE_URL": srv.url,
                                     "TSIG_LLM_API_KEY": "sk-test"})
        r = write_report("SYN0000", AS_OF, store=store, bars=bars, writer=writer, mc_paths=500)
    (req,) = srv.requests
    assert req["path"] == "/v1/chat/completions" and req["json"]["model"] == "test-model"
    headers = {k.lower(): v for k, v in req["headers"].items()}
    assert headers["authorization"] == "Bearer sk-test"
    prompt = req["json"]["messages"][-1]["content"]
    cites = re.findall(r"^\[(\d+)\] (.+?) \| (\w+) \| (\d{4}-\d{2}-\d{2}) \|", prompt, re.M)
    assert len(cites) == len(r.sources) > 0
    assert all(date <= "2018-06-29" for *_, date in cites)
    for s in r.sources:
        assert s["source"] in prompt
    assert "Mexico" not in prompt  # the 2019 document of this symbol
    assert "VaR 95%" in prompt  # the platform's own numbers are in the prompt
    assert r.markdown.startswith(reply) and r.metadata["writer"] == "llm"
    assert r.metadata["flagged"] is False


def test_llm_answer_with_an_invented_figure_is_flagged(store, bars):
    reply = "## Thesis\nEarnings per share will reach 7.77 next year [1]; see also [99].\n"
    with fake_openai(reply) as srv:
        writer = LLMWriter(model="m", base_url=srv.url, api_key="k")
        r = write_report("SYN0000", AS_OF, store=store, bars=bars, writer=writer, mc_paths=500)
    assert r.metadata["flagged"] is True
    assert r.metadata["unsupported_figures"] == ["7.77"]
    assert r.metadata["bad_citations"] == [99]
    assert "7.77" in r.html() and "Figures not found in the context" in r.html()


def test_llm_key_from_a_secret_file(tmp_path):
    key = tmp_path / "key"
    key.write_text("sk-from-secret\n")
    w = LLMWriter.from_env({"TSIG_LLM_MODEL": "m", "TSIG_LLM_API_KEY_FILE": str(key)})
    assert w is not None and w.api_key == "sk-from-secret"
    assert LLMWriter.from_env({}) is None  # no model configured: offline writer
    assert LLMWriter.from_env({"TSIG_LLM_MODEL": "m", "TSIG_WRITER": "offline"}) is None


def test_report_ignores_bars_after_as_of(store, bars):
    # No look-ahead in the platform's figures: changing every bar after as_of changes nothing.
    cut = pd.Timestamp("2018-06-29T23:59:59.999999Z")
    altered = bars.copy()
    later = altered.index > cut
    assert later.any()
    altered.loc[later, ["open", "high", "low", "close"]] *= 3.0
    altered.loc[later, "volume"] += 1e6
    a = write_report("SYN0000", AS_OF, store=store, bars=bars, writer=OfflineWriter(), mc_paths=500)
    b = write_report("SYN0000", AS_OF, store=store, bars=altered, writer=OfflineWriter(), mc_paths=500)
    assert a.markdown == b.markdown
