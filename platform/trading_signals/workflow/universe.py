"""Import stage: the study's universe through the quality gate into the lake.

Runs on the driver (the gate writes one report for the whole import); the symbols it returns
(imported plus ``lake_symbols``) are the study's universe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trading_signals.config.data import DataConfig
from trading_signals.config.study import UniverseConfig
from trading_signals.data.importer import import_raw
from trading_signals.data.lake import list_symbols
from trading_signals.data.raw import RawInput
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import DataError
from trading_signals.workflow.executor import Progress


@dataclass(frozen=True)
class ImportSummary:
    """The universe's symbols and what the gate did (rows in/clean/quarantined, issues)."""

    symbols: list[str]
    info: dict[str, Any] = field(default_factory=dict)


def universe_inputs(universe: UniverseConfig, *, timeframe: str) -> list[RawInput]:
    """Return the raw inputs the universe asks for (packaged sample, seeded synthetic symbols)."""
    inputs: list[RawInput] = []
    if universe.sample:
        from trading_signals.data.sample import load_sample

        inputs.extend(load_sample())
    if universe.synthetic_symbols:
        uni = generate_universe(universe.synthetic_symbols, universe.synthetic_bars,
                                seed=universe.synthetic_seed, timeframe=timeframe)
        inputs.extend(RawInput(source="synthetic", symbol=s, frame=f.reset_index(), timeframe=timeframe)
                      for s, f in uni.bars.items())
    return inputs


def import_universe(universe: UniverseConfig, data: DataConfig, *, lake: str,
                    progress: Progress | None = None) -> ImportSummary:
    """Import the universe into ``lake`` through the gate; return its symbols and gate totals.

    Raises
    ------
    DataError
        If the universe is empty, or a ``lake_symbols`` entry has no partition in the lake.
    """
    tf = data.timeframe
    inputs = universe_inputs(universe, timeframe=tf)
    mode = "replace" if data.replace else "new"  # never overwrite a user's bars unless asked
    report = import_raw(inputs, lake=lake, timeframe=tf, config=data.gate, mode=mode) if inputs else None
    if progress is not None:
        progress(len(inputs), len(inputs))
    imported = {p["symbol"] for p in report.partitions} if report else set()
    missing = sorted(set(universe.lake_symbols) - set(list_symbols(lake, timeframe=tf)) - imported)
    if missing:
        raise DataError(f"study.universe.lake_symbols {missing} have no {tf} bars in {lake}; "
                        "import them first (`tsig data import ...`) or remove them")
    symbols = sorted(imported | set(universe.lake_symbols))
    if not symbols:
        raise DataError("the study universe is empty: enable study.universe.sample, add synthetic "
                        "symbols, or list study.universe.lake_symbols")
    info: dict[str, Any] = {"lake": str(lake), "symbols": len(symbols)}
    if report is not None:
        info.update(rows_in=sum(r.rows_in for r in report.inputs),
                    rows_clean=sum(r.rows_clean for r in report.inputs),
                    rows_quarantined=sum(r.rows_quarantined for r in report.inputs),
                    issues_by_rule=_rule_totals(report.inputs),
                    report=report.report_path, quarantine_files=report.quarantine_files)
    return ImportSummary(symbols=symbols, info=info)


def _rule_totals(reports: list[Any]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for r in reports:
        for rule, n in r.rule_counts().items():
            totals[rule] = totals.get(rule, 0) + n
    return dict(sorted(totals.items()))
