"""Reports of stored results (render only, no new numbers): the interactive HTML run report."""

from __future__ import annotations

from trading_signals._lazy import lazy_exports

__all__ = ["write_run_report"]

# Lazy: importing plotly costs ~0.5 s, which `tsig --help` should not pay.
__getattr__, __dir__ = lazy_exports(__name__, {"write_run_report": "trading_signals.report.run_report"},
                                    globals())
