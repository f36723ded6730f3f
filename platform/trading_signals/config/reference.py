"""Render the configuration reference (``docs/configuration.md``) from the pydantic schema.

Every key of :class:`~trading_signals.config.run.RunConfig` is listed with its type, default and
constraints, section by section, plus the hyper-parameters of each model family
(:data:`~trading_signals.config.model_params.PARAM_SCHEMAS`). A test keeps the document equal to
:func:`config_reference_markdown`, so the reference cannot drift from the code.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from trading_signals.config.model_params import PARAM_SCHEMAS
from trading_signals.config.run import RunConfig

BEGIN = "<!-- BEGIN GENERATED: config_reference_markdown() -->"
END = "<!-- END GENERATED -->"


def config_reference_markdown() -> str:
    """Return the Markdown reference of every config key (one table per section).

    >>> config_reference_markdown().splitlines()[0]
    '### `name`, top level'
    """
    out: list[str] = []
    _section(RunConfig, "", out, title="`name`, top level")
    for family, schema in PARAM_SCHEMAS.items():
        out.append(f"### `models.params` when `models.name: {family}`\n")
        out.append(_doc(schema) + "\n" if _doc(schema) else "")
        out.extend(_table(schema, "models.params."))
    return "\n".join(line for line in out).rstrip() + "\n"


def _section(model: type[BaseModel], prefix: str, out: list[str], *, title: str | None = None) -> None:
    leaves = {k: f for k, f in model.model_fields.items() if _submodel(f.annotation) is None}
    if leaves:
        out.append(f"### {title or '`' + prefix.rstrip('.') + '`'}\n")
        doc = _doc(model)
        if doc:
            out.append(doc + "\n")
        out.extend(_table(model, prefix, only=set(leaves)))
    for key, field in model.model_fields.items():
        sub = _submodel(field.annotation)
        if sub is not None:
            kind, cls = sub
            path = prefix + key + {"model": "", "list": "[]", "map": ".<name>"}[kind]
            _section(cls, path + ".", out)


def _table(model: type[BaseModel], prefix: str, only: set[str] | None = None) -> list[str]:
    rows = ["| key | type | default | allowed / meaning |", "|---|---|---|---|"]
    for key, field in model.model_fields.items():
        if only is not None and key not in only:
            continue
        meaning = "; ".join(p for p in (_constraints(field), field.description or "") if p)
        rows.append(f"| `{prefix}{key}` | {_type(field.annotation)} | {_default(field)} | "
                    f"{meaning.replace('|', '/')} |")
    return rows + [""]


def _doc(model: type[BaseModel]) -> str:
    text = (model.__doc__ or "").strip()
    if not text or text.startswith(("Usage docs", "A base class")):
        return ""
    return " ".join(text.split("\n\n")[0].split())


def _submodel(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # X | None
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _submodel(inner[0]) if len(inner) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return "list", args[0]
    if origin is dict and len(args) == 2 and isinstance(args[1], type) and issubclass(args[1], BaseModel):
        return "map", args[1]
    return None


def _type(annotation: Any) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        parts = [_type(a) for a in args if a is not type(None)]
        return " or ".join(parts) + (" or null" if type(None) in args else "")
    if origin is tuple:
        return f"list of {_type(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping {_type(args[0])} -> {_type(args[1])}" if args else "mapping"
    if annotation is Any:
        return "any"
    return getattr(annotation, "__name__", str(annotation))


def _constraints(field: FieldInfo) -> str:
    symbols = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    found = []
    for meta in field.metadata:
        for attr, sym in symbols.items():
            value = getattr(meta, attr, None)
            if value is not None:
                found.append(f"{sym} {value}")
    return ", ".join(found)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        return "(section)"
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return f"`{text}`"


def render_document(template: str) -> str:
    """Return ``template`` with the text between :data:`BEGIN` and :data:`END` regenerated."""
    head, _, rest = template.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{config_reference_markdown()}\n{END}{tail}"


if __name__ == "__main__":  # python -m trading_signals.config.reference docs/configuration.md
    import sys
    from pathlib import Path

    doc = Path(sys.argv[1])
    doc.write_text(render_document(doc.read_text(encoding="utf-8")), encoding="utf-8")
