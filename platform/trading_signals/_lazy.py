"""Lazy package exports (PEP 562), so ``import trading_signals.x`` stays cheap for ``tsig``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str], namespace: dict[str, Any], *,
                 submodules: bool = False) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of a package whose names import on first use.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Exported name -> the module (absolute) that defines it.
    namespace
        The package's ``globals()``: a resolved name is stored there, so later accesses are plain
        attribute reads.
    submodules
        Also resolve ``package.submodule`` as an attribute (what an eager package allowed).

    Examples
    --------
    >>> getattr_, dir_ = lazy_exports("json", {"loads": "json"}, {})
    >>> getattr_("loads")("[1]")
    [1]
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is not None:
            value = getattr(importlib.import_module(module), name)
        elif submodules:
            try:
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise  # the submodule exists but one of its imports is missing
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
