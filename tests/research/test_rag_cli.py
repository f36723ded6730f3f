"""`tsig rag ingest|query|delete` and `tsig report` end to end (hashing embedder for speed)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from trading_signals.cli import app

runner = CliRunner()


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("TSIG_EMBEDDINGS", "hashing")
    for var in ("PINECONE_API_KEY", "TSIG_LLM_MODEL", "TSIG_VECTOR_STORE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_rag_ingest_is_idempotent_and_query_is_point_in_time(env):
    first = _json(runner.invoke(app, ["rag", "ingest", "--sample", "--store", "st", "--json"]))
    again = _json(runner.invoke(app, ["rag", "ingest", "--sample", "--store", "st", "--json"]))
    assert first["documents"] == again["documents"] == 37
    assert first["new_documents"] == 37 and again["new_documents"] == 0
    hits = _json(runner.invoke(app, ["rag", "query", "patent lawsuit damages", "--symbol",
                                     "SYN0000", "--as-of", "2018-06-29", "--store", "st", "-k",
                                     "10", "--json"]))
    assert hits and all(h["published_at"][:10] <= "2018-06-29" for h in hits)
    later = _json(runner.invoke(app, ["rag", "query", "patent lawsuit damages", "--symbol",
                                      "SYN0000", "--as-of", "2019-12-31", "--store", "st", "-k",
                                      "10", "--json"]))
    assert len(later) > len(hits)
    gone = later[0]["doc_id"]
    assert runner.invoke(app, ["rag", "delete", gone, "--store", "st"]).exit_code == 0
    after = _json(runner.invoke(app, ["rag", "query", "patent lawsuit damages", "--symbol",
                                      "SYN0000", "--as-of", "2019-12-31", "--store", "st", "-k",
                                      "10", "--json"]))
    assert gone not in {h["doc_id"] for h in after} and len(after) == len(later) - 1


def test_report_writes_markdown_html_and_sources(env):
    _json(runner.invoke(app, ["rag", "ingest", "--sample", "--store", "st", "--json"]))
    out = _json(runner.invoke(app, ["report", "SYN0001", "--as-of", "2018-06-29", "--html",
                                    "--store", "st", "--out", "rep", "--json"]))
    assert out["metadata"]["writer"] == "offline" and out["metadata"]["flagged"] is False
    assert out["sources"] and all(s["published_at"][:10] <= "2018-06-29" for s in out["sources"])
    md = (env / "rep" / "SYN0001_2018-06-29_research.md").read_text()
    assert "## Risk" in md and "CVaR 95%" in md
    assert (env / "rep" / "SYN0001_2018-06-29_research.html").read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args, needle", [
    (["rag", "query", "x", "--symbol", "A/B", "--as-of", "2018-01-01", "--store", "st"], "symbol"),
    (["rag", "query", "x", "--symbol", "AAA", "--as-of", "soon", "--store", "st"], "as_of"),
    (["rag", "ingest", "--store", "st"], "--sample"),
    (["report", "SP500"], "--as-of"),
    (["report", "run"], "RUN_DIR"),
])
def test_bad_input_exits_2_with_a_clear_message(env, args, needle):
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert needle in r.output


def test_report_run_calls_the_run_report_writer(env, monkeypatch):
    import trading_signals.report.run_report as rr

    calls = []
    monkeypatch.setattr(rr, "write_run_report", lambda d: calls.append(d) or env / "r.html")
    r = runner.invoke(app, ["report", "run", str(env / "runs" / "abc")])
    assert r.exit_code == 0, r.output
    assert calls == [str(env / "runs" / "abc")] and "r.html" in r.output


def test_report_run_without_the_run_report_module_is_a_clear_error(env, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "trading_signals.report.run_report", None)
    r = runner.invoke(app, ["report", "run", "runs/abc"])
    assert r.exit_code == 2 and "run report" in r.output


def test_query_on_a_missing_store_says_how_to_create_it(env):
    r = runner.invoke(app, ["rag", "query", "x", "--symbol", "AAA", "--as-of", "2018-01-01",
                            "--store", "nowhere"])
    assert r.exit_code == 2 and "tsig rag ingest" in r.output
    assert not (env / "nowhere").exists()


def test_report_without_a_store_warns_and_writes_figures_only(env):
    r = runner.invoke(app, ["report", "SYN0003", "--as-of", "2015-06-30", "--store", "none",
                            "--out", "rep", "--json"])
    assert r.exit_code == 0, r.output
    assert "figures-only" in r.stderr
    body = json.loads(r.stdout)
    assert body["sources"] == [] and "VaR 95%" in body["markdown"]
