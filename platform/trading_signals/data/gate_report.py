"""What the data-quality gate returns: issues, a per-source report and the split rows.

The rule catalogue :data:`RULES` is the single list of everything the gate checks; the README
and ``tsig data validate`` are generated from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from trading_signals.data.gate_parse import as_strings

Severity = Literal["error", "warning", "info"]

# rule -> (severity, what it means / what the gate does). "error" rules quarantine rows.
RULES: dict[str, tuple[Severity, str]] = {
    "empty_file": ("error", "the input has no data rows"),
    "missing_column": (
        "error",
        (
            "a required column (timestamp, open, high, low, "
            "close, volume) is absent: every row is quarantined"
        ),
    ),
    "ambiguous_column": (
        "error",
        (
            "two input columns map to the same field (e.g. "
            "'Close' and 'close'): every row is quarantined"
        ),
    ),
    "missing_symbol": (
        "error",
        "no symbol column, no --symbol and no usable file name: every row is quarantined",
    ),
    "unsafe_symbol": (
        "error",
        "symbol is not a safe identifier (path traversal, spaces...): rows rejected",
    ),
    "field_count": ("error", "a CSV line has more or fewer fields than the header"),
    "bad_adjustment": (
        "error",
        "adj_close asked for, but Adj Close / Close cannot be computed for the row",
    ),
    "bad_timestamp": ("error", "the timestamp cannot be parsed"),
    "naive_timestamp": ("error", "naive timestamp rejected (GateConfig.reject_naive)"),
    "missing_value": ("error", "a required value is empty or NaN"),
    "bad_number": ("error", "a value is not a number"),
    "non_finite": ("error", "a value is +/-inf"),
    "non_positive_price": ("error", "open/high/low/close <= 0"),
    "negative_volume": ("error", "volume < 0"),
    "high_below_open_close": ("error", "high < max(open, close)"),
    "low_above_open_close": ("error", "low > min(open, close)"),
    "duplicate_timestamp": (
        "error",
        "two or more rows share a symbol and timestamp: all copies quarantined",
    ),
    "lake_conflict": (
        "error",
        "merge import: the lake already holds a different bar at this timestamp",
    ),
    "unsorted": ("warning", "rows were not in time order: sorted (stable), rows kept"),
    "naive_assumed": (
        "warning",
        "naive date-times read in GateConfig.naive_timezone, converted to UTC",
    ),
    "mixed_offsets": ("warning", "timestamps carry different UTC offsets: each converted to UTC"),
    "non_iso_timestamp": (
        "warning",
        "timestamps not in ISO 8601: parsed month-first unless dayfirst",
    ),
    "timeframe_mismatch": (
        "warning",
        "daily-or-slower import, but several bars share one UTC date: check --timeframe",
    ),
    "suspicious_jump": (
        "warning",
        "abs close-to-close return above GateConfig.jump_threshold: flagged, kept",
    ),
    "encoding": ("warning", "file is not UTF-8: decoded as latin-1"),
    "adjusted": ("info", "prices scaled by Adj Close / Close because adj_close was asked for"),
    "dates_as_utc": ("info", "date-only timestamps labelled 00:00 UTC"),
    "delimiter": ("info", "the CSV delimiter is not ',': detected and used"),
    "blank_lines": ("info", "blank lines in a CSV are skipped (they hold no data)"),
    "ignored_column": ("info", "input columns the lake does not store (e.g. Adj Close)"),
    "calendar_gap": ("info", "bars missing against the expected calendar (one issue per gap)"),
    "lake_duplicate": ("info", "merge import: identical bar already in the lake"),
}

META_COLUMNS = ("source", "row", "rule", "column", "message")


@dataclass(frozen=True)
class Issue:
    """One finding: a rule broken at a row (or row range) and column, with an actionable message.

    ``row``/``row_end`` are 1-based positions of data rows in the input (header excluded);
    both are ``None`` for file-level issues. ``count`` is how many rows (or missing bars, for a
    calendar gap) the issue stands for; a summary issue stands for many rows.
    """

    rule: str
    severity: Severity
    message: str
    row: int | None = None
    row_end: int | None = None
    column: str | None = None
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        """Return the issue as JSON-safe builtins."""
        return asdict(self)


@dataclass
class GateReport:
    """Outcome of the gate for one source; always ``rows_in == rows_clean + rows_quarantined``."""

    source: str
    rows_in: int
    rows_clean: int
    rows_quarantined: int
    issues: list[Issue] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    timeframe: str = "1d"

    @property
    def ok(self) -> bool:
        """True when no row was quarantined and no error or warning was raised."""
        return self.rows_quarantined == 0 and not any(i.severity != "info" for i in self.issues)

    def rule_counts(self) -> dict[str, int]:
        """Return the total ``count`` of the issues of each rule."""
        counts: dict[str, int] = {}
        for i in self.issues:
            counts[i.rule] = counts.get(i.rule, 0) + i.count
        return counts

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-safe builtins."""
        return {
            "source": self.source,
            "timeframe": self.timeframe,
            "symbols": list(self.symbols),
            "rows_in": self.rows_in,
            "rows_clean": self.rows_clean,
            "rows_quarantined": self.rows_quarantined,
            "ok": self.ok,
            "rule_counts": self.rule_counts(),
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass
class GateResult:
    """Clean canonical frames by symbol, quarantined raw rows with reasons, and the report.

    Attributes
    ----------
    clean : dict[str, DataFrame]
        Canonical OHLCV frames (UTC index, float64), ``attrs`` symbol/timeframe/source.
    quarantined : DataFrame
        The raw rows as strings plus :data:`META_COLUMNS` (one line per rejected row).
    report : GateReport
    clean_rows : dict[str, ndarray]
        1-based input row number of each clean bar, aligned with ``clean[symbol]``.
    raw : DataFrame
        The input rows as given (positional index), to quarantine more rows later (merge).
    """

    clean: dict[str, pd.DataFrame]
    quarantined: pd.DataFrame
    report: GateReport
    clean_rows: dict[str, np.ndarray] = field(default_factory=dict)
    raw: pd.DataFrame = field(default_factory=pd.DataFrame)

    def raw_rows(self, rows: np.ndarray) -> pd.DataFrame:
        """Return input rows (1-based numbers) as strings, columns renamed off META_COLUMNS."""
        return raw_rows_as_strings(self.raw, rows)


def raw_rows_as_strings(raw: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Return ``raw`` rows at 1-based ``rows`` with every cell as a string (missing -> "").

    Columns keep their names as strings; a name clashing with :data:`META_COLUMNS` gets a
    ``raw_`` prefix and repeated names a ``__2`` suffix, so the result can sit in one table
    with the quarantine metadata.
    """
    pos = np.asarray(rows, dtype=np.int64) - 1
    cols: dict[str, np.ndarray] = {}
    for k in range(raw.shape[1]):
        name = str(raw.columns[k])
        name = f"raw_{name}" if name in META_COLUMNS else name
        base, j = name, 2
        while name in cols:
            name, j = f"{base}__{j}", j + 1
        cols[name] = (
            as_strings(raw.iloc[pos, k]).to_numpy(dtype=object)
            if len(pos)
            else np.array([], dtype=object)
        )
    return pd.DataFrame(cols, index=range(len(pos)))
