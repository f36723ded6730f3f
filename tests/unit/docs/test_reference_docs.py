"""docs/configuration.md and docs/data.md carry tables generated from the code; they must match."""

from __future__ import annotations

from pathlib import Path

from trading_signals.config.reference import config_reference_markdown
from trading_signals.config.reference import render_document as render_config
from trading_signals.data.gate_docs import render_document as render_rules
from trading_signals.data.gate_docs import rules_markdown
from trading_signals.data.gate_report import RULES

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_configuration_reference_matches_the_schema() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert render_config(text) == text, (
        "docs/configuration.md is out of date: run "
        "`python -m trading_signals.config.reference docs/configuration.md`")


def test_configuration_reference_lists_every_section_and_param_schema() -> None:
    ref = config_reference_markdown()
    for key in ("`data.gate.naive_timezone`", "`risk.montecarlo.n_paths`", "`tune.deterministic`",
                "`models.params.hidden_size`", "`features.indicators[].name`", "`study.portfolio.fast`"):
        assert key in ref


def test_data_doc_rules_table_matches_the_gate_registry() -> None:
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    assert render_rules(text) == text, (
        "docs/data.md is out of date: run `python -m trading_signals.data.gate_docs docs/data.md`")
    table = rules_markdown()
    assert all(f"| `{rule}` | {sev} |" in table for rule, (sev, _) in RULES.items())
