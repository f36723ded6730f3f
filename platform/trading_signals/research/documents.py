"""Research documents: read text, Markdown, PDF and JSONL files into typed, dated documents.

Every document belongs to one symbol and carries the UTC time it became public
(``published_at``), its type (transcript, filing, news) and its source. Nothing is dropped in
silence: a file or row that cannot be used raises :class:`DataError` naming the file, the line
and the field, and how to fix it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from trading_signals.data.schema import check_symbol
from trading_signals.errors import DataError, SourceError

DOC_TYPES = ("transcript", "filing", "news")
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
SUFFIXES = (*TEXT_SUFFIXES, *JSONL_SUFFIXES, ".pdf")
META_FIELDS = ("symbol", "published_at", "type", "source", "title", "url")
_MIN_EPOCH = 1e8  # below this a number is more likely a counter than an epoch (as the bar gate)
#: The packaged illustrative corpus for the demo symbols (invented; see its README).
SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "resources" / "research" / "sample_corpus.jsonl"
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


@dataclass(frozen=True)
class ResearchDocument:
    """One dated research document of one symbol.

    ``doc_id`` is a content hash (symbol, publish time, type, source, title, text), so the same
    document always gets the same id and re-ingesting it is idempotent.
    """

    symbol: str
    published_at: pd.Timestamp
    doc_type: str
    source: str
    text: str
    title: str = ""
    url: str = ""

    @property
    def doc_id(self) -> str:
        key = "\x1f".join([self.symbol, self.published_at.isoformat(), self.doc_type,
                           self.source, self.title, self.text])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def parse_published_at(value: Any, where: str) -> pd.Timestamp:
    """Parse a publish time as the news loader and the bar gate do; return it in UTC.

    ISO 8601 strings (offsets converted to UTC; naive values taken as UTC with a warning) and
    epoch numbers whose unit is read from their magnitude (s < 1e11 <= ms < 1e14 <= us < 1e17
    <= ns) are accepted. The result is rounded up to whole microseconds (what the stores keep),
    so a document never becomes visible before it was published.

    >>> parse_published_at(1262700000, "x").isoformat()
    '2010-01-05T14:00:00+00:00'
    >>> parse_published_at("2018-03-01T14:30:00-05:00", "x").isoformat()
    '2018-03-01T19:30:00+00:00'
    """
    return _parse_instant(value, where, warn=True).ceil("us")


def parse_as_of(value: Any, *, name: str = "as_of") -> pd.Timestamp:
    """Parse an as-of time: a date means the end of that UTC day; rounded down to microseconds.

    >>> parse_as_of("2018-03-01").isoformat()
    '2018-03-01T23:59:59.999999+00:00'
    """
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        day = pd.Timestamp(value.strip(), tz="UTC")
        return day + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return _parse_instant(value, name, warn=False).floor("us")


def _parse_instant(value: Any, where: str, *, warn: bool) -> pd.Timestamp:
    hint = "use ISO 8601 with an offset (2018-03-01T14:30:00Z) or epoch seconds"
    if isinstance(value, bool) or value is None or (isinstance(value, float) and math.isnan(value)):
        raise DataError(f"{where}: published_at is missing; {hint}")
    number = _as_number(value)
    try:
        if number is not None:
            if abs(number) < _MIN_EPOCH:
                raise DataError(f"{where}: published_at {value!r} is too small for an epoch "
                                f"time; {hint}")
            mag = abs(number)
            scale = 10**9 if mag < 1e11 else 10**6 if mag < 1e14 else 10**3 if mag < 1e17 else 1
            exact = _as_int(value)  # integers stay exact (a float has 53 bits: ~256 ns at 1e18)
            ns = exact * scale if exact is not None else int(round(number * scale))
            ts = pd.Timestamp(ns, unit="ns", tz="UTC")
        else:
            ts = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise DataError(f"{where}: published_at {value!r} is not a timestamp ({exc}); "
                        f"{hint}") from exc
    if pd.isna(ts):
        raise DataError(f"{where}: published_at {value!r} is not a timestamp; {hint}")
    if ts.tzinfo is None:
        if warn:
            warnings.warn(f"{where}: naive published_at {value!r} taken as UTC; add an offset",
                          UserWarning, stacklevel=4)
        ts = ts.tz_localize("UTC")
    return ts.tz_convert("UTC")


def make_document(fields: Mapping[str, Any], where: str) -> ResearchDocument:
    """Validate one record's fields (``text``/``body``, ``symbol``, ``published_at``, ``type``...)."""
    text = _text(fields.get("text")) or _text(fields.get("body"))
    if not text.strip():
        raise DataError(f"{where}: empty text; give the document body in 'text'")
    symbol = _text(fields.get("symbol")).strip()
    if not symbol:
        raise DataError(f"{where}: no symbol; give 'symbol' in the record or --symbol")
    try:
        check_symbol(symbol)
    except DataError as exc:
        raise DataError(f"{where}: {exc}") from exc
    doc_type = (_text(fields.get("type")) or _text(fields.get("doc_type"))).strip().lower()
    if doc_type not in DOC_TYPES:
        raise DataError(f"{where}: type {doc_type or None!r} is not one of {', '.join(DOC_TYPES)};"
                        " set 'type' in the record or --type")
    source = _text(fields.get("source")).strip()
    if not source:
        raise DataError(f"{where}: no source; give 'source' (publisher or file) or --source")
    return ResearchDocument(symbol=symbol, published_at=parse_published_at(
        fields.get("published_at"), where), doc_type=doc_type, source=source, text=text.strip(),
        title=_text(fields.get("title")).strip(), url=_text(fields.get("url")).strip())


def load_documents(paths: str | Path | Iterable[str | Path], *,
                   defaults: Mapping[str, Any] | None = None) -> list[ResearchDocument]:
    """Read documents from files or directories (searched recursively, in sorted order).

    Parameters
    ----------
    paths
        ``.txt``/``.md`` (optional ``---`` front matter with ``symbol``, ``published_at``,
        ``type``, ``source``, ``title``), ``.pdf`` (text via pypdf) or ``.jsonl`` (one object per
        line with ``text`` and the same fields; a ``{"_comment": ...}`` line is a header).
    defaults
        Field values for what a file does not say (e.g. from ``--symbol``/``--published-at``).
        A ``symbol`` default that contradicts a record's own symbol is an error.

    Raises
    ------
    DataError
        Naming file, line and field for anything unusable.
    SourceError
        For a missing path or an unsupported suffix.
    """
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not items:
        raise DataError("load_documents: no paths given")
    out: list[ResearchDocument] = []
    for path in _expand([Path(p) for p in items]):
        out.extend(_read_file(path, dict(defaults or {})))
    return out


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file())
            if not found:
                raise SourceError(f"{p}: no documents ({', '.join(SUFFIXES)}) in this directory")
            files.extend(found)
        elif p.is_file():
            if p.suffix.lower() not in SUFFIXES:
                raise SourceError(f"{p}: unsupported document type {p.suffix!r}; use "
                                  f"{', '.join(SUFFIXES)}")
            files.append(p)
        else:
            raise SourceError(f"{p}: no such file or directory")
    return files


def _read_file(path: Path, defaults: dict[str, Any]) -> list[ResearchDocument]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return [make_document(_merge(rec, defaults, loc), loc) for loc, rec in _jsonl(path)]
    if suffix == ".pdf":
        text = _pdf_text(path)
        meta: dict[str, Any] = {}
    else:
        text, meta = _front_matter(path.read_text(encoding="utf-8"), path)
    rec = {"text": text, **meta}
    rec.setdefault("source", defaults.get("source") or path.name)
    rec.setdefault("title", defaults.get("title") or path.stem.replace("_", " "))
    return [make_document(_merge(rec, defaults, str(path)), str(path))]


def _merge(rec: dict[str, Any], defaults: Mapping[str, Any], loc: str) -> dict[str, Any]:
    want = defaults.get("symbol")
    have = rec.get("symbol")
    if want and have and str(have).strip() != str(want).strip():
        raise DataError(f"{loc}: symbol {have!r} differs from --symbol {want!r}; drop --symbol "
                        "or fix the record")
    merged = {k: v for k, v in defaults.items() if v not in (None, "")}
    merged.update({k: v for k, v in rec.items() if v not in (None, "")})
    return merged


def _jsonl(path: Path) -> Iterable[tuple[str, dict[str, Any]]]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        loc = f"{path}: line {lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{loc} is not valid JSON ({exc.msg}); fix the line") from exc
        if not isinstance(obj, dict):
            raise DataError(f"{loc} must be a JSON object, got {type(obj).__name__}")
        if set(obj) == {"_comment"}:
            continue
        yield loc, obj


def _front_matter(raw: str, path: Path) -> tuple[str, dict[str, Any]]:
    m = _FRONT.match(raw)
    if not m:
        return raw, {}
    meta: dict[str, Any] = {}
    for i, line in enumerate(m.group(1).splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in META_FIELDS:
            raise DataError(f"{path}: line {i}: front matter needs 'key: value' with key in "
                            f"{', '.join(META_FIELDS)}; got {line!r}")
        meta[key] = value.strip().strip("'\"")
    return raw[m.end():], meta


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read PDF ({exc}); is it a valid, unencrypted PDF?") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise DataError(f"{path}: the PDF has no extractable text (scanned image?); OCR it first")
    return text


def _as_number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{9,19}(\.\d+)?", value.strip()):
        return float(value.strip())
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
