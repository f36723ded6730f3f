"""Vectorised text of the fused frame: ``missing_components`` and ``explanation`` per bar.

The text is exactly what a per-row ``f"{label} {score:.2f}: {name} {contrib:+.2f}, ..."``
loop produces; numbers are formatted through lookup tables of two-decimal strings (a value
within 1e-6 of a rounding tie falls back to Python's own formatting, so the result is always
the same as ``format(value, ".2f")``).

Notes
-----
Pointwise in time: the text of bar t depends only on that bar's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from trading_signals.signals.labels import LABELS

_LIMIT = 100  # tables cover |x| <= 1.00 (scores, coverage, contributions); others fall back


@lru_cache(maxsize=64)
def _table(prefix: str, plus: bool) -> np.ndarray:
    # Entry a + (LIMIT+1)*neg is prefix + sign + "a/100" with two decimals.
    pos = "+" if plus else ""
    mags = [f"{a // 100}.{a % 100:02d}" for a in range(_LIMIT + 1)]
    return np.array([f"{prefix}{pos}{m}" for m in mags] + [f"{prefix}-{m}" for m in mags],
                    dtype=object)


def format_2f(x: np.ndarray, *, plus: bool = False, prefix: str = "") -> np.ndarray:
    """Return ``[prefix + format(v, "+.2f" if plus else ".2f") for v in x]`` as objects.

    NaN entries get a placeholder (callers never show them).

    >>> format_2f(np.array([0.125, -0.001, 0.994, 1.5, 0.0, -0.0]), plus=True).tolist()
    ['+0.12', '-0.00', '+0.99', '+1.50', '+0.00', '-0.00']
    """
    x = np.asarray(x, dtype=np.float64)
    return _lookup(x, _table_index(x), plus=plus, prefix=prefix)


def _table_index(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Index into _table (magnitude in hundredths + sign block) and the rows to format in
    # Python: near a rounding tie (|frac - 0.5| <= 1e-6, where x*100's own rounding could
    # flip the result) or beyond the table. Python prints "-" whenever the sign bit is set.
    with np.errstate(invalid="ignore"):
        y = x * 100.0
        k = np.rint(y)
        safe = (np.abs(k) <= _LIMIT) & (np.abs(y - np.floor(y) - 0.5) > 1e-6)
    idx = np.abs(np.where(safe, k, 0.0)).astype(np.intp)
    idx += np.signbit(x) * (_LIMIT + 1)
    return idx, np.flatnonzero(~safe & ~np.isnan(x))


def _lookup(
    x: np.ndarray, index: tuple[np.ndarray, np.ndarray], *, plus: bool, prefix: str
) -> np.ndarray:
    idx, slow = index
    out = _table(prefix, plus)[idx]
    spec = "+.2f" if plus else ".2f"
    for i in slow.tolist():
        out[i] = f"{prefix}{format(float(x[i]), spec)}"
    return out


def missing_text(
    names: Sequence[str], present: np.ndarray, code: np.ndarray | None = None
) -> np.ndarray:
    """Return ``", ".join(names not present)`` per row (object array).

    ``code`` is :func:`presence_codes` of ``present`` when the caller already has it.
    """
    code = presence_codes(present) if code is None else code
    table = np.empty(1 << len(names), dtype=object)
    for c in np.unique(code).tolist():
        table[c] = ", ".join(n for j, n in enumerate(names) if not (c >> j) & 1)
    return table[code]


def explanations(
    names: Sequence[str],
    contrib: np.ndarray,
    score: np.ndarray,
    codes: np.ndarray,
    present: np.ndarray,
    eligible: np.ndarray,
    coverage: np.ndarray,
    *,
    required: tuple[str, ...],
    min_coverage: float,
    code: np.ndarray | None = None,
) -> np.ndarray:
    """Return the explanation of every bar (object array of str).

    Signalled bars: ``"<LABEL> <score>: <c> <+contrib>, ..."`` by decreasing |contribution|
    (ties keep the weights' order), then ``"; missing: a, b (weights renormalised)"`` when a
    component was renormalised away. Other bars: ``"NO SIGNAL: ..."`` saying why.
    ``codes`` are the label positions in :data:`LABELS` (see ``label_codes``); ``code`` is
    :func:`presence_codes` of ``present`` when the caller already has it.
    """
    n = present.shape[0]
    out = np.empty(n, dtype=object)
    code = presence_codes(present) if code is None else code
    missing = {c: [nm for j, nm in enumerate(names) if not (c >> j) & 1]
               for c in np.unique(code).tolist()}
    rows = np.flatnonzero(eligible)
    if rows.size:
        out[rows] = _signalled(names, contrib[rows], score[rows], codes[rows],
                               present[rows], code[rows], missing)
    for i in np.flatnonzero(~eligible).tolist():
        out[i] = _no_signal_text(missing[int(code[i])], required, float(coverage[i]),
                                 min_coverage)
    return out


def _signalled(
    names: Sequence[str],
    contrib: np.ndarray,
    score: np.ndarray,
    codes: np.ndarray,
    present: np.ndarray,
    code: np.ndarray,
    missing: dict[int, list[str]],
) -> np.ndarray:
    m = contrib.shape[1]
    # Largest |contribution| first, missing last, stable (as the per-row sort did).
    order = np.argsort(-np.nan_to_num(np.abs(contrib), nan=-1.0), axis=1, kind="stable")
    shown = int(present.sum(axis=1).max())  # components shown on the fullest row
    # Keys into one table of "<name> <+x.xx>" strings per component (one block of `width`
    # entries each, then "" for a missing component), sorted like the row.
    width = 2 * (_LIMIT + 1)
    idx, slow = _table_index(contrib)
    key = np.where(present, np.arange(m) * width + idx, m * width)
    key = np.take_along_axis(key, order[:, :shown], axis=1)
    first, rest = _part_tables(tuple(names))
    pieces = [_heads(codes, score), first[key[:, 0]]]
    pieces.extend(rest[key[:, k]] for k in range(1, shown))
    if slow.size:  # near a rounding tie: Python formats it, at its rank position
        rank = np.argsort(order, axis=1)
        for i, j in zip(*np.unravel_index(slow, contrib.shape), strict=True):
            r = int(rank[i, j])
            text = f"{names[j]} {format(float(contrib[i, j]), '+.2f')}"
            pieces[1 + r][i] = text if r == 0 else f", {text}"
    suffix = {c: f"; missing: {', '.join(v)} (weights renormalised)" if v else ""
              for c, v in missing.items()}
    if any(suffix.values()):
        table = np.empty(max(suffix) + 1, dtype=object)
        for c, text in suffix.items():
            table[c] = text
        pieces.append(table[code])
    return np.add.reduce(np.column_stack(pieces), axis=1)


@lru_cache(maxsize=16)
def _part_tables(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    blank = np.array([""], dtype=object)
    first = np.concatenate([_table(f"{nm} ", True) for nm in names] + [blank])
    rest = np.concatenate([_table(f", {nm} ", True) for nm in names] + [blank])
    return first, rest


def _heads(codes: np.ndarray, score: np.ndarray) -> np.ndarray:
    # "<LABEL> <score>: " from one lookup per row in a (label x two-decimal score) table.
    idx, slow = _table_index(score)
    out = _head_table()[codes * (2 * (_LIMIT + 1)) + idx]
    for i in slow.tolist():
        out[i] = f"{LABELS[codes[i]]} {format(float(score[i]), '.2f')}: "
    return out


@lru_cache(maxsize=1)
def _head_table() -> np.ndarray:
    return np.array([f"{t}: " for lab in LABELS for t in _table(f"{lab} ", False)],
                    dtype=object)


def text_column(values: np.ndarray) -> np.ndarray:
    """Return a text column as stored so far: object, but float64 when empty.

    (Assigning an empty list to a DataFrame column gives float64; kept for identical frames.)
    """
    return values if len(values) else np.empty(0, dtype=np.float64)


def presence_codes(present: np.ndarray) -> np.ndarray:
    """Return per row the integer whose bit j is set when column j is present.

    Few distinct codes occur, so texts are formatted once per code.
    """
    weights = (1 << np.arange(present.shape[1], dtype=np.int64))
    return present.astype(np.int64) @ weights if present.shape[1] else np.zeros(
        present.shape[0], dtype=np.int64)


def _no_signal_text(
    missing: list[str], required: tuple[str, ...], coverage: float, min_coverage: float
) -> str:
    waiting = [r for r in required if r in missing]
    if waiting:
        return f"NO SIGNAL: warm-up, waiting for {', '.join(waiting)}"
    return (f"NO SIGNAL: coverage {coverage:.2f} < {min_coverage:.2f}"
            f" (missing: {', '.join(missing)})")
