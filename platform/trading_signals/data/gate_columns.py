"""Match raw column names to the canonical fields, case-insensitively and with common aliases."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

# Names are compared after lower-casing and removing everything but letters and digits, so
# "Adj Close", "adj_close" and "AdjClose" all become "adjclose".
ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": (
        "timestamp",
        "date",
        "datetime",
        "time",
        "ts",
        "dt",
        "day",
        "tradedate",
        "datum",
        "index",
    ),
    "open": ("open", "o", "openprice", "opening"),
    "high": ("high", "h", "highprice", "max"),
    "low": ("low", "l", "lowprice", "min"),
    "close": ("close", "c", "closeprice", "last", "closelast", "price"),
    "volume": ("volume", "vol", "v"),
    "symbol": ("symbol", "ticker", "sym", "instrument"),
    "adj_close": ("adjclose", "adjustedclose", "adjclosingprice"),
}
REQUIRED = ("timestamp", "open", "high", "low", "close", "volume")


def normalize_name(name: Hashable) -> str:
    """Return the comparison key of a column name.

    >>> normalize_name(" Adj Close ")
    'adjclose'
    """
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


@dataclass
class ColumnMap:
    """Which raw column feeds each field, plus what could not be matched."""

    fields: dict[str, Hashable] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[Hashable]] = field(default_factory=dict)
    ignored: list[Hashable] = field(default_factory=list)
    date_time_pair: tuple[Hashable, Hashable] | None = None

    @property
    def usable(self) -> bool:
        return not self.missing and not self.ambiguous


def resolve_columns(columns: Sequence[Hashable]) -> ColumnMap:
    """Map raw ``columns`` to canonical fields (see :data:`ALIASES`).

    A separate ``Date`` and ``Time`` pair is accepted and joined into one timestamp.
    """
    lookup = {alias: fld for fld, names in ALIASES.items() for alias in names}
    hits: dict[str, list[Hashable]] = {}
    out = ColumnMap()
    for col in columns:
        fld = lookup.get(normalize_name(col))
        if fld is None:
            out.ignored.append(col)
        else:
            hits.setdefault(fld, []).append(col)
    ts = hits.get("timestamp", [])
    keys = sorted(normalize_name(c) for c in ts)
    if len(ts) == 2 and keys == ["date", "time"]:
        date_col = next(c for c in ts if normalize_name(c) == "date")
        time_col = next(c for c in ts if normalize_name(c) == "time")
        out.date_time_pair = (date_col, time_col)
        hits["timestamp"] = [date_col]
    # Adjusted closes are never stored unless asked for (files.load_files(adj_close=True)).
    out.ignored.extend(hits.pop("adj_close", []))
    for fld, cols in hits.items():
        if len(cols) > 1:
            out.ambiguous[fld] = cols
        else:
            out.fields[fld] = cols[0]
    out.missing = [f for f in REQUIRED if f not in out.fields and f not in out.ambiguous]
    return out
