"""News input: read headline tables (JSONL / CSV / Parquet) and labelled sentence files.

Every row is kept: a row that cannot be used raises :class:`DataError` naming the file and the
row, never dropped in silence. The one exception is an explicit header line in JSONL
(``{"_comment": ...}``), used by the illustrative sample file to say it is not real news.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.data.gate_parse import parse_timestamps
from trading_signals.data.schema import check_symbol
from trading_signals.errors import DataError, SourceError

NEWS_COLUMNS = ("news_id", "published_at", "symbols", "headline", "body", "source", "url")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
_TEXT_FIELDS = ("body", "source", "url")


def load_news(path_or_paths: str | Path | Sequence[str | Path]) -> pd.DataFrame:
    """Read one or more news files into the canonical news table.

    Parameters
    ----------
    path_or_paths
        A ``.jsonl``/``.json`` (one object per line), ``.csv`` or ``.parquet`` file, or a list.

    Returns
    -------
    pandas.DataFrame
        Columns ``news_id, published_at, symbols, headline, body, source, url`` sorted by
        ``published_at`` (stable). ``published_at`` is tz-aware UTC; ``symbols`` holds a
        ``list[str]``; ``news_id`` is a 16-hex sha256 of (published_at, symbols, headline, url).

    Raises
    ------
    DataError
        Naming file and row: unparseable ``published_at``, empty headline, no or unsafe symbols.
    SourceError
        If a file is missing or its suffix is unknown.

    Notes
    -----
    ``published_at`` may be ISO 8601 (offsets converted to UTC), ``YYYYMMDD``, or epoch
    seconds/milliseconds/microseconds/nanoseconds (numbers or digit strings, unit told by
    magnitude exactly as the bar gate does: < 1e11 s, < 1e14 ms, < 1e17 us, else ns; values
    below 1e8 are rejected as counters). Naive timestamps are taken as UTC (with a warning).
    Dates outside 1677-09-22 .. 2262-04-11 are errors naming the line. The publish time is what
    :func:`trading_signals.sentiment.aggregate.aggregate_sentiment` uses to decide which bars an
    item may affect, so it must be the time the item became public, not an event date.
    """
    paths = [path_or_paths] if isinstance(path_or_paths, (str, Path)) else list(path_or_paths)
    if not paths:
        raise DataError("load_news: no files given; pass at least one news file")
    frames = [_normalise(_read_raw(Path(p)), Path(p)) for p in paths]
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values("published_at", kind="stable").reset_index(drop=True)
    return out.loc[:, list(NEWS_COLUMNS)]


def _read_raw(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise SourceError(
            f"{path}: news file not found; pass an existing .jsonl/.csv/.parquet file"
        )
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return _read_jsonl(path)
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise SourceError(f"{path}: unknown news file type {suffix!r}; use .jsonl, .csv or .parquet")


def _read_jsonl(path: Path) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{path}: line {lineno} is not valid JSON ({exc.msg}); fix the line"
            ) from exc
        if not isinstance(obj, dict):
            raise DataError(
                f"{path}: line {lineno} must be a JSON object, got {type(obj).__name__}"
            )
        if set(obj) == {"_comment"}:
            continue  # explicit header line (e.g. "illustrative, not real news")
        records.append(obj)
        lines.append(lineno)
    frame = pd.DataFrame.from_records(records)
    frame.attrs["rows"] = lines
    return frame


def _normalise(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    rows = raw.attrs.get("rows") or [
        i + 2 if path.suffix.lower() == ".csv" else i + 1 for i in range(len(raw))
    ]
    where = "line" if path.suffix.lower() in (".jsonl", ".json", ".ndjson", ".csv") else "row"
    if raw.empty:
        return _empty_news()
    if "published_at" not in raw.columns or "headline" not in raw.columns:
        raise DataError(
            f"{path}: needs columns 'published_at' and 'headline'; found {list(raw.columns)}"
        )
    published = _parse_times(raw["published_at"], path, rows, where)
    records = []
    for i, (_, rec) in enumerate(raw.iterrows()):
        loc = f"{path}: {where} {rows[i]}"
        headline = _as_text(rec.get("headline"))
        if not headline.strip():
            raise DataError(f"{loc}: empty headline; every news item needs a headline")
        symbols = _parse_symbols(rec.get("symbols"), rec.get("symbol"), loc)
        fields = {f: _as_text(rec.get(f)) for f in _TEXT_FIELDS}
        ts = published[i]
        records.append(
            {
                "news_id": _news_id(ts, symbols, headline, fields["url"]),
                "published_at": ts,
                "symbols": symbols,
                "headline": headline,
                **fields,
            }
        )
    out = pd.DataFrame.from_records(records)
    out["published_at"] = pd.DatetimeIndex(out["published_at"]).tz_convert("UTC")
    return out


def _empty_news() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="datetime64[ns, UTC]" if c == "published_at" else object)
            for c in NEWS_COLUMNS
        }
    )


def _parse_times(col: pd.Series, path: Path, rows: list[int], where: str) -> list[pd.Timestamp]:
    # The bar gate's parser: ISO 8601 (offsets converted to UTC), epoch s/ms/us/ns told apart by
    # magnitude (numbers or digit strings), YYYYMMDD; naive values are read as UTC. Any value it
    # cannot place in time (including dates outside 1677..2262) is an error naming the line.
    col = col.reset_index(drop=True)
    # JSON mixes numbers and strings in one column: numbers take the gate's numeric epoch path,
    # everything else its string path (so 4e20 is "out of range", not "not a timestamp").
    if col.dtype == object:
        is_num = col.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).to_numpy(bool)
    else:  # a typed column (datetime, number, string) goes to the gate as it is
        is_num = np.zeros(len(col), dtype=bool)
    values = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns, UTC]")
    failures: dict[int, tuple[str, str]] = {}
    naive = False
    for mask in (is_num, ~is_num):
        if not mask.any():
            continue
        part = col[mask].astype("float64") if mask is is_num else col[mask]
        parsed = parse_timestamps(part.reset_index(drop=True), timeframe="event",
                                  naive_timezone="UTC", reject_naive=False, dayfirst=False)
        pos = np.flatnonzero(mask)
        values.iloc[pos] = parsed.values
        failures.update({int(pos[k]): v for k, v in parsed.failures.items()})
        naive |= any(rule == "naive_assumed" for rule, _, _ in parsed.notes)
    if failures:
        first = min(failures)
        reason = failures[first][1]
        more = len(failures) - 1
        hint = "" if "ISO 8601" in reason else (
            "; use ISO 8601 with an offset (2018-03-01T14:30:00Z) or epoch seconds/ms/us/ns")
        raise DataError(
            f"{path}: {where} {rows[first]}: published_at {col.iloc[first]!r}: {reason}{hint}"
            + (f" ({more} more bad published_at value(s) in this file)" if more else "")
        )
    if naive:
        warnings.warn(
            f"{path}: naive published_at values were taken as UTC; add a timezone "
            "offset to silence this",
            UserWarning,
            stacklevel=4,
        )
    return list(values)


def _parse_symbols(symbols: Any, symbol: Any, loc: str) -> list[str]:
    value = symbols if _present(symbols) else symbol
    if not _present(value):
        raise DataError(
            f"{loc}: no symbol; give 'symbol' (str) or 'symbols' (list or 'A;B' string)"
        )
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(",", ";").split(";")]
    else:
        parts = [str(p).strip() for p in list(value)]
    parts = [p for p in parts if p]
    if not parts:
        raise DataError(f"{loc}: empty symbol list; give at least one symbol")
    try:
        return list(dict.fromkeys(check_symbol(p) for p in parts))
    except DataError as exc:
        raise DataError(f"{loc}: {exc}") from exc


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, str):
        return bool(value.strip())
    try:
        return len(value) > 0
    except TypeError:
        return True


def _as_text(value: Any) -> str:
    return str(value) if _present(value) else ""


def _news_id(ts: pd.Timestamp, symbols: list[str], headline: str, url: str) -> str:
    key = "\x1f".join([ts.isoformat(), ";".join(symbols), headline, url])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def read_labelled_sentences(path: str | Path) -> tuple[list[str], list[str]]:
    """Read a ``sentence@label`` file (Financial PhraseBank format).

    Lines starting with ``#`` and blank lines are skipped; each other line splits on its last
    ``@``; labels must be one of ``negative, neutral, positive``.

    Raises
    ------
    DataError
        Naming the file and line of a line without ``@`` or with an unknown label.
    SourceError
        If the file does not exist.
    """
    p = Path(path)
    if not p.is_file():
        raise SourceError(f"{p}: labelled sentence file not found")
    texts: list[str] = []
    labels: list[str] = []
    raw = p.read_bytes().decode("utf-8", errors="replace")
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        sentence, sep, label = line.rpartition("@")
        label = label.strip().lower()
        if not sep or label not in SENTIMENT_LABELS:
            raise DataError(
                f"{p}: line {lineno}: expected '<sentence>@<label>' with label in "
                f"{SENTIMENT_LABELS}, got {line[-40:]!r}"
            )
        texts.append(sentence.strip())
        labels.append(label)
    if not texts:
        raise DataError(f"{p}: no labelled sentences found")
    return texts, labels
