"""Versioned model registry on disk: manifests plus safe-to-load artifacts.

Layout: ``<root>/<name>/v0001/manifest.json`` and the artifact next to it. Torch models are a
``state_dict`` (``torch.load(weights_only=True)``), LightGBM its native text file, other
scikit-learn models a skops file loaded with an explicit list of trusted types. A model id is
``"<name>/v0001"``; ``"<name>"`` alone means its latest version.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from trading_signals.errors import ConfigError, DataError
from trading_signals.models.gbm import LightGBMRegressor
from trading_signals.models.lstm import AttentionLSTMClassifier, AttentionLSTMRegressor

MANIFEST = "manifest.json"
SKOPS_FILE = "model.skops"
_TORCH = {"AttentionLSTMRegressor": AttentionLSTMRegressor, "AttentionLSTMClassifier": AttentionLSTMClassifier}

# The only types a skops artifact may contain. Anything else is refused at load time.
TRUSTED_SKOPS_TYPES: tuple[str, ...] = (
    "trading_signals.models.ensemble.StackedEnsemble",
    "trading_signals.models.preprocessing.FitWindowScaler",
    "sklearn.ensemble._forest.RandomForestRegressor",
    "sklearn.ensemble._gb.GradientBoostingRegressor",
    "sklearn._loss._loss.CyHalfSquaredError",
    "sklearn._loss.loss.HalfSquaredError",
    "sklearn._loss.link.IdentityLink",
    "sklearn._loss.link.Interval",
    "sklearn.dummy.DummyRegressor",
    "sklearn.linear_model._ridge.Ridge",
    "sklearn.pipeline.Pipeline",
    "sklearn.tree._classes.DecisionTreeRegressor",
    "sklearn.tree._tree.Tree",
    "numpy.random._mt19937.MT19937",
    "numpy.random.mtrand.RandomState",
)
# Plain containers and arrays that every skops file holds.
_BASIC_TYPES = frozenset({
    "builtins.dict", "builtins.list", "builtins.str", "builtins.tuple", "builtins.int", "builtins.float",
    "builtins.bool", "builtins.NoneType", "builtins.slice", "numpy.ndarray", "numpy.float64", "numpy.float32",
    "numpy.int64", "numpy.int32", "numpy.bool_", "numpy.dtype",
})


class ModelRegistry:
    """Register, list and load model versions under a directory (a path or ``file://`` URI).

    Notes
    -----
    Loading never unpickles untrusted data: skops files are checked against
    :data:`TRUSTED_SKOPS_TYPES`, torch weights load with ``weights_only=True``, and every
    artifact file's SHA-256 recorded at registration is verified before loading.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = _resolve_root(root)

    def register(self, model: Any, *, name: str, config_id: str, features: list[str],
                 train_start: Any, train_end: Any, metrics: dict[str, float] | None = None,
                 params: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> str:
        """Save ``model`` as the next version of ``name`` and return its model id.

        ``extra`` (JSON-able) is stored as is, e.g. the run config and the held-out window.
        """
        _check_name(name)
        family = self.root / name
        family.mkdir(parents=True, exist_ok=True)
        tmp = family / f".tmp-{os.getpid()}-{datetime.now(UTC).strftime('%H%M%S%f')}"
        tmp.mkdir()
        try:
            kind = _save_artifact(model, tmp)
            version = self._claim_version(family, tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        model_id = f"{name}/{version}"
        manifest = {
            "model_id": model_id, "name": name, "version": version, "kind": kind,
            "class": type(model).__name__, "config_id": config_id, "features": list(features),
            "train_start": _iso(train_start), "train_end": _iso(train_end),
            "metrics": {k: _num(v) for k, v in (metrics or {}).items()},
            "params": params if params is not None else _jsonable_params(model),
            "created_at": datetime.now(UTC).isoformat(), "extra": extra or {},
            "files": {p.name: _sha256(p) for p in sorted((family / version).iterdir())},
        }
        (family / version / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        return model_id

    def _claim_version(self, family: Path, tmp: Path) -> str:
        n = len([p for p in family.iterdir() if p.name.startswith("v")]) + 1
        while True:
            version = f"v{n:04d}"
            try:
                tmp.rename(family / version)  # atomic on POSIX; fails if it exists
                return version
            except OSError:
                n += 1

    def manifest(self, model_id: str) -> dict[str, Any]:
        """Return the manifest of ``model_id`` (``name/vNNNN`` or ``name`` for the latest)."""
        path = self._version_dir(model_id) / MANIFEST
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def load(self, model_id: str) -> Any:
        """Load a registered model after checking file hashes and (skops) trusted types."""
        vdir = self._version_dir(model_id)
        man = self.manifest(model_id)
        for fname, digest in man["files"].items():
            if _sha256(vdir / fname) != digest:
                raise DataError(f"{vdir / fname}: SHA-256 differs from the manifest; the artifact was "
                                "modified after registration; re-register the model")
        return _load_artifact(man["kind"], man["class"], vdir)

    def list(self) -> list[dict[str, Any]]:
        """Return every manifest, sorted by name then version."""
        out = []
        for path in sorted(self.root.glob(f"*/v*/{MANIFEST}")):
            out.append(json.loads(path.read_text(encoding="utf-8")))
        return out

    def latest(self, name: str) -> str:
        """Return the id of the newest version of ``name``."""
        versions = sorted(p.name for p in (self.root / name).glob("v*") if (p / MANIFEST).is_file())
        if not versions:
            raise DataError(f"registry {self.root}: no model named {name!r}; see `tsig models ls`")
        return f"{name}/{versions[-1]}"

    def _version_dir(self, model_id: str) -> Path:
        if "/" not in model_id:
            model_id = self.latest(model_id)
        name, version = model_id.split("/", 1)
        _check_name(name)
        vdir = self.root / name / version
        if not (vdir / MANIFEST).is_file():
            raise DataError(f"registry {self.root}: no model {model_id!r}; see `tsig models ls`")
        return vdir


def _save_artifact(model: Any, out: Path) -> str:
    if type(model).__name__ in _TORCH:
        model.save(out)
        return "torch"
    if isinstance(model, LightGBMRegressor):
        model.save(out)
        return "lightgbm"
    import skops.io as sio

    sio.dump(model, out / SKOPS_FILE)
    return "skops"


def _load_artifact(kind: str, cls_name: str, vdir: Path) -> Any:
    if kind == "torch":
        if cls_name not in _TORCH:
            raise DataError(f"{vdir}: unknown torch model class {cls_name!r}")
        return _TORCH[cls_name].load(vdir)
    if kind == "lightgbm":
        return LightGBMRegressor.load(vdir)
    if kind == "skops":
        return load_skops(vdir / SKOPS_FILE)
    raise DataError(f"{vdir}: unknown artifact kind {kind!r} in the manifest")


def skops_types(path: Path) -> set[str]:
    """Return every ``module.Class`` named in a skops file's schema (read as JSON, no loading)."""
    with zipfile.ZipFile(path) as zf:
        schema = json.loads(zf.read("schema.json"))
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def load_skops(path: Path, trusted: tuple[str, ...] = TRUSTED_SKOPS_TYPES) -> Any:
    """Load a skops file, refusing it if it names any type outside ``trusted`` (+ basic types).

    Stricter than skops' own default (which trusts every scikit-learn type): the whole schema
    is checked against an explicit list before anything is constructed.
    """
    import skops.io as sio

    try:
        types = skops_types(path)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: not a readable skops file ({exc}); re-register the model") from exc
    unknown = sorted(types - set(trusted) - _BASIC_TYPES)
    if unknown:
        raise DataError(f"{path}: refusing to load untrusted types {unknown}; only "
                        "trading_signals/scikit-learn model types are allowed")
    allowed = [t for t in sio.get_untrusted_types(file=path) if t in types]
    return sio.load(path, trusted=allowed)


def _resolve_root(root: str | Path) -> Path:
    text = str(root)
    if "://" in text:
        scheme, rest = text.split("://", 1)
        if scheme != "file":
            raise ConfigError(f"registry: unsupported URI scheme {scheme!r} in {text!r}; use a path or file://")
        text = rest
    return Path(text).expanduser()


def _check_name(name: str) -> None:
    if not name or "/" in name or name.startswith((".", "v0")) or not name.replace("-", "_").replace(".", "_").isidentifier():
        raise ConfigError(f"registry: invalid model name {name!r}; use letters, digits, '_', '-'")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _iso(value: Any) -> str | None:
    return None if value is None else pd.Timestamp(value).isoformat()


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def _jsonable_params(model: Any) -> dict[str, Any]:
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    return {k: v for k, v in params.items() if isinstance(v, (int, float, str, bool, type(None)))}
