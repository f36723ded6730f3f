"""Reports of stored results (render only, no new numbers): the interactive HTML run report."""

from __future__ import annotations

__all__ = ["write_run_report"]


def __getattr__(name: str) -> object:
    # Lazy: importing plotly costs ~0.5 s, which `tsig --help` should not pay.
    if name == "write_run_report":
        from trading_signals.report.run_report import write_run_report

        return write_run_report
    raise AttributeError(name)
