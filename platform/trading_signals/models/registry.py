"""Versioned model registry on disk: manifests plus safe-to-load artifacts.

Layout: ``<root>/<name>/v0001/manifest.json`` and the artifact next to it. Torch models are a
``state_dict`` (``torch.load(weights_only=True)``), LightGBM its native text file, other
scikit-learn models a skops file loaded with an explicit list of trusted types. A model id is
``"<name>/v0001"``; ``"<name>"`` alone means its latest version.

The root is a local path, a ``file://`` URI or an object-store URI (``s3://bucket/models``):
artifacts are built in a local temp directory and uploaded, the manifest last (a version
without a manifest is invisible), and loading downloads a version to a temp directory first.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from trading_signals.data import storage
from trading_signals.data.lake import child
from trading_signals.errors import ConfigError, DataError

MANIFEST = "manifest.json"
SKOPS_FILE = "model.skops"
# Model classes load lazily (torch, lightgbm): listing a registry must not import them.
_TORCH = frozenset({"AttentionLSTMRegressor", "AttentionLSTMClassifier"})

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
    """Register, list and load model versions under a location (path, ``file://``, ``s3://``...).

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
        if storage.is_remote(self.root):
            return self._register_remote(model, name=name, config_id=config_id, features=features,
                                         train_start=train_start, train_end=train_end,
                                         metrics=metrics, params=params, extra=extra)
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
        manifest = _manifest(model, model_id=model_id, name=name, version=version, kind=kind,
                             config_id=config_id, features=features, train_start=train_start,
                             train_end=train_end, metrics=metrics, params=params, extra=extra,
                             files={p.name: _sha256(p) for p in sorted((family / version).iterdir())})
        (family / version / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        return model_id

    def _register_remote(self, model: Any, *, name: str, **fields: Any) -> str:
        """Object-store registration: build locally, upload the files, then the manifest.

        Object stores have no atomic rename, so the version is the next free number at upload
        time; two writers registering the same name at the same moment could pick the same
        number (the later manifest wins). Register from one process per name (the driver).
        """
        with tempfile.TemporaryDirectory(prefix="tsig-model-") as tmp:
            local = Path(tmp)
            kind = _save_artifact(model, local)
            files = {p.name: _sha256(p) for p in sorted(local.iterdir())}
            family = child(self.root, name)
            numbers = [int(v[1:]) for v in storage.listdir(family, "v*") if v[1:].isdigit()]
            version = f"v{max(numbers, default=0) + 1:04d}"
            vdir = child(family, version)
            storage.upload_dir(local, vdir)
        model_id = f"{name}/{version}"
        manifest = _manifest(model, model_id=model_id, name=name, version=version, kind=kind,
                             files=files, **fields)
        storage.write_text_atomic(child(vdir, MANIFEST), json.dumps(manifest, indent=2))
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
        path = child(self._version_dir(model_id), MANIFEST)
        return _read_manifest(path)

    def load(self, model_id: str) -> Any:
        """Load a registered model after checking file hashes and (skops) trusted types."""
        vdir = self._version_dir(model_id)
        man = self.manifest(model_id)
        if isinstance(vdir, str):  # object store: verify and load a local copy
            with tempfile.TemporaryDirectory(prefix="tsig-model-") as tmp:
                for fname in man["files"]:
                    Path(tmp, fname).write_bytes(storage.read_bytes(child(vdir, fname)))
                return _verified_load(man, Path(tmp), shown=vdir)
        return _verified_load(man, vdir, shown=vdir)

    def list(self, *, include_broken: bool = False) -> list[dict[str, Any]]:
        """Return every manifest, sorted by name then version.

        A version whose manifest is unreadable (not JSON, keys missing) or whose artifact files
        are missing is *broken*: it is left out, so one damaged version never hides the others.
        With ``include_broken=True`` each appears as ``{"model_id", "name", "version",
        "broken": <reason>}`` in its place (``tsig models ls`` shows them flagged).
        """
        out = []
        if isinstance(self.root, str):  # object store: list prefixes (no glob)
            paths = [child(self.root, name, version, MANIFEST)
                     for name in storage.listdir(self.root)
                     for version in storage.listdir(child(self.root, name), "v*")]
            paths = [p for p in paths if storage.is_file(p)]
        else:
            paths = sorted(self.root.glob(f"*/v*/{MANIFEST}"))  # type: ignore[assignment]
        for path in paths:
            version_dir = str(path).rsplit("/", 1)[0]
            try:
                man = _read_manifest(path)
                _check_files(man, version_dir)
            except DataError as exc:
                if include_broken:
                    name, version = version_dir.rsplit("/", 2)[-2:]
                    out.append({"model_id": f"{name}/{version}", "name": name, "version": version,
                                "broken": str(exc)})
                continue
            out.append(man)
        return out

    def latest(self, name: str) -> str:
        """Return the id of the newest version of ``name``."""
        family = child(self.root, name)
        versions = [v for v in storage.listdir(family, "v*") if storage.is_file(child(family, v, MANIFEST))]
        if not versions:
            raise DataError(f"registry {self.root}: no model named {name!r}; see `tsig models ls`")
        return f"{name}/{versions[-1]}"

    def _version_dir(self, model_id: str) -> Path | str:
        if "/" not in model_id:
            model_id = self.latest(model_id)
        name, version = model_id.split("/", 1)
        _check_name(name)
        if not version.startswith("v") or "/" in version:
            raise DataError(f"registry {self.root}: no model {model_id!r}; see `tsig models ls`")
        vdir = child(self.root, name, version)
        if not storage.is_file(child(vdir, MANIFEST)):
            raise DataError(f"registry {self.root}: no model {model_id!r}; see `tsig models ls`")
        return vdir


def _manifest(model: Any, *, model_id: str, name: str, version: str, kind: str, config_id: str,
              features: list[str], train_start: Any, train_end: Any,
              metrics: dict[str, float] | None, params: dict[str, Any] | None,
              extra: dict[str, Any] | None, files: dict[str, str]) -> dict[str, Any]:
    return {
        "model_id": model_id, "name": name, "version": version, "kind": kind,
        "class": type(model).__name__, "config_id": config_id, "features": list(features),
        "train_start": _iso(train_start), "train_end": _iso(train_end),
        "metrics": {k: _num(v) for k, v in (metrics or {}).items()},
        "params": params if params is not None else _jsonable_params(model),
        "created_at": datetime.now(UTC).isoformat(), "extra": extra or {},
        "files": files,
    }


_MANIFEST_KEYS = ("model_id", "kind", "class", "files")


def _read_manifest(path: Path | str) -> dict[str, Any]:
    """Read and check one manifest, raising :class:`DataError` naming the file and the problem."""
    try:
        man = json.loads(storage.read_text(path))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: manifest is not valid JSON ({exc}); the version is damaged: "
                        "re-register the model or delete this version directory") from exc
    if not isinstance(man, dict):
        raise DataError(f"{path}: manifest must be a JSON object, got {type(man).__name__}")
    missing = [k for k in _MANIFEST_KEYS if k not in man]
    if missing or not isinstance(man.get("files"), dict):
        raise DataError(f"{path}: manifest lacks {missing or ['files (a mapping)']}; the version "
                        "is damaged: re-register the model or delete this version directory")
    return dict(man)


def _check_files(man: dict[str, Any], vdir: Path | str) -> None:
    gone = [f for f in man["files"] if not storage.is_file(storage.join(str(vdir), f))]
    if gone:
        raise DataError(f"{man['model_id']}: artifact file(s) {gone} listed in the manifest are "
                        f"missing from {vdir}; re-register the model or delete this version")


def _verified_load(man: dict[str, Any], vdir: Path, *, shown: Path | str) -> Any:
    """Check every artifact file's SHA-256 against the manifest, then load from ``vdir``."""
    _check_files(man, vdir)
    for fname, digest in man["files"].items():
        if _sha256(vdir / fname) != digest:
            raise DataError(f"{storage.join(shown, fname)}: SHA-256 differs from the manifest; the "
                            "artifact was modified after registration; re-register the model")
    return _load_artifact(man["kind"], man["class"], vdir)


def _save_artifact(model: Any, out: Path) -> str:
    if type(model).__name__ in _TORCH:
        model.save(out)
        return "torch"
    from trading_signals.models.gbm import LightGBMRegressor

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
        from trading_signals.models import lstm

        return getattr(lstm, cls_name).load(vdir)
    if kind == "lightgbm":
        from trading_signals.models.gbm import LightGBMRegressor

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


def _resolve_root(root: str | Path) -> Path | str:
    """A local root (path or ``file://``) as an expanded ``Path``; object-store URIs as ``str``."""
    if storage.is_remote(root):
        storage.check_supported(root)  # unknown schemes fail here (ConfigError), without I/O
        return storage.as_str(root).rstrip("/")
    return Path(storage.local_path(root)).expanduser()


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
