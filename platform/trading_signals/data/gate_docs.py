"""Render the data-quality gate's rule catalogue as the Markdown table of ``docs/data.md``.

The table is generated from :data:`trading_signals.data.gate_report.RULES` (the one list of
everything the gate checks), and a test keeps the document equal to it.
"""

from __future__ import annotations

from trading_signals.data.gate_report import RULES

_ORDER = {"error": 0, "warning": 1, "info": 2}


def rules_markdown() -> str:
    """Return the gate's rules as a Markdown table: errors, then warnings, then info.

    >>> rules_markdown().splitlines()[0]
    '| rule | severity | meaning |'
    """
    rows = sorted(RULES.items(), key=lambda kv: _ORDER.get(kv[1][0], 3))  # stable: registry order
    lines = ["| rule | severity | meaning |", "|---|---|---|"]
    lines += [f"| `{rule}` | {sev} | {meaning.replace('|', '/')} |" for rule, (sev, meaning) in rows]
    return "\n".join(lines) + "\n"


BEGIN = "<!-- BEGIN GENERATED: rules_markdown() -->"
END = "<!-- END GENERATED -->"


def render_document(template: str) -> str:
    """Return ``template`` with the text between :data:`BEGIN` and :data:`END` regenerated."""
    head, _, rest = template.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{rules_markdown()}\n{END}{tail}"


if __name__ == "__main__":  # python -m trading_signals.data.gate_docs docs/data.md
    import sys
    from pathlib import Path

    doc = Path(sys.argv[1])
    doc.write_text(render_document(doc.read_text(encoding="utf-8")), encoding="utf-8")
