"""Frozen pydantic base model, YAML loading with precise errors, and content-hash ids."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from trading_signals.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class FrozenModel(BaseModel):
    """Immutable config section: unknown keys are errors, values are validated on load."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def config_id(cfg: BaseModel) -> str:
    """Return the 12-hex-digit content hash that names a run and its artifacts.

    Equivalent to ``sha256(cfg.model_dump_json())[:12]``; two configs with the same resolved
    values share an id whatever their YAML formatting.
    """
    payload = cfg.model_dump_json(round_trip=True).encode()
    return hashlib.sha256(payload).hexdigest()[:12]


class KeyPathError(ValueError):
    """Raised inside a validator to blame a key *below* the validated model.

    ``path`` is relative to the model the validator belongs to (``"params.lr"`` in
    ``ModelConfig``); :func:`format_validation_error` joins it to the model's own location, so
    the message names the full key path (``models.params.lr``).
    """

    def __init__(self, path: str, message: str, got: Any = None) -> None:
        super().__init__(f"{path}: {message}")
        self.path, self.message, self.got = path, message, got


def format_validation_error(exc: ValidationError, *, source: str) -> str:
    lines = [f"{source}: {exc.error_count()} invalid value(s)"]
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "<root>"
        inner = (err.get("ctx") or {}).get("error")
        if isinstance(inner, KeyPathError):
            full = ".".join(str(p) for p in (*err["loc"], inner.path))
            lines.append(f"  - {full}: {inner.message} (got {inner.got!r})")
            continue
        if err["type"] == "extra_forbidden":
            lines.append(f"  - {path}: unknown key; remove it or check its spelling")
        elif err["type"] == "missing":
            lines.append(f"  - {path}: required key is missing")
        else:
            got = err.get("input")
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"  - {path}: {msg} (got {got!r})")
    return "\n".join(lines)


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping, raising :class:`ConfigError` naming the file on any problem."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found; pass an existing YAML file")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{p}: top level must be a mapping of sections, got {type(raw).__name__}")
    return raw


def validate_mapping(model: type[M], data: dict[str, Any], *, source: str) -> M:
    """Validate ``data`` into ``model`` or raise :class:`ConfigError` listing each bad key path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source=source)) from exc
