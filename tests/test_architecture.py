"""Layering rules from STYLE.md, checked on the source tree."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "platform" / "trading_signals"
# Entry-point layers inside the package that may reach Ray lazily through distributed/.
RAY_ALLOWED = {"distributed"}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_platform_has_no_init_file() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_stdlib_platform_still_imports_with_package_on_path() -> None:
    code = "import trading_signals, platform; print(platform.system(), platform.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(ROOT / "platform"), "PATH": ""},
    ).stdout
    system, origin = out.split()
    assert system and "platform" in origin and "trading_signals" not in origin
    assert not origin.startswith(str(ROOT / "platform") + "/platform")


def test_ray_is_imported_only_in_distributed() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] in RAY_ALLOWED:
            continue
        if any(m == "ray" or m.startswith("ray.") for m in _imported_modules(path)):
            offenders.append(str(rel))
    assert offenders == [], f"ray imported outside distributed/: {offenders}"


def test_core_layers_do_not_import_distributed_or_cli() -> None:
    core = {"data", "features", "sentiment", "stats", "signals", "models", "backtest", "risk", "report",
            "research", "workflow", "serving", "config", "observability", "timeframes"}
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] not in core:
            continue
        bad = [m for m in _imported_modules(path)
               if m.startswith(("trading_signals.distributed", "trading_signals.cli"))]
        if bad:
            offenders.append(f"{rel}: {bad}")
    assert offenders == []


def test_every_module_imports() -> None:
    failures = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        try:
            importlib.import_module(name)
        except Exception as exc:  # pragma: no cover - message is the assertion
            failures.append(f"{name}: {exc!r}")
    assert failures == []


# STYLE.md layer order: a core layer imports only its own or lower layers.
LAYER_RANK = {
    "config": 0, "errors": 0, "_typing": 0, "_lazy": 0, "timeframes": 0, "observability": 0,
    "data": 1, "features": 2, "sentiment": 2, "stats": 2,
    "signals": 3, "models": 4, "backtest": 5, "risk": 6, "report": 7, "research": 7,
    "workflow": 8, "serving": 9,
}
# Known, deliberate exceptions (module -> allowed higher-layer targets), each with its reason.
# Empty: statistics shared by backtest and risk live in stats/, table I/O in data/ and the
# build loops in workflow/. Add an entry only with a reason.
LAYER_EXCEPTIONS: dict[str, tuple[str, ...]] = {}


def test_layer_exceptions_are_empty_and_every_package_has_a_rank() -> None:
    assert LAYER_EXCEPTIONS == {}
    top = {"cli", "distributed", "resources", "__pycache__"}
    packages = {p.name.removesuffix(".py") for p in PKG.iterdir()
                if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem not in
                                                                     ("__init__", "__main__"))}
    unranked = sorted(packages - set(LAYER_RANK) - top)
    assert unranked == [], f"give these a rank in LAYER_RANK (CONVENTIONS.md): {unranked}"


def test_core_layers_import_only_lower_layers_or_named_exceptions() -> None:
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        layer = rel.parts[0].removesuffix(".py")
        if layer not in LAYER_RANK:
            continue
        allowed = LAYER_EXCEPTIONS.get(layer, ()) + LAYER_EXCEPTIONS.get(str(rel), ())
        for mod in _imported_modules(path):
            if not mod.startswith("trading_signals."):
                continue
            target = mod.split(".")[1]
            if LAYER_RANK.get(target, -1) > LAYER_RANK[layer] and not mod.startswith(allowed or ("\0",)):
                offenders.append(f"{rel} imports {mod}")
    assert offenders == [], "\n".join(offenders)
