"""The documentation runs: every ```python block in README.md and docs/, and every docstring example.

Blocks of one page run in order in one namespace (a page reads like a session), in a fresh
temporary working directory, so they may write files (a lake, run directories).
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "platform" / "trading_signals"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]


def _blocks(page: Path) -> list[str]:
    return FENCE.findall(page.read_text())


PAGES = [p for p in _pages() if p.exists() and _blocks(p)]


def test_readme_has_a_runnable_quickstart() -> None:
    assert _blocks(ROOT / "README.md"), "README.md must carry a ```python quickstart block"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_python_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for i, block in enumerate(_blocks(page), start=1):
        code = compile(block, f"{page.relative_to(ROOT)}[python block {i}]", "exec")
        exec(code, namespace)  # noqa: S102 - running our own documentation is the point


def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(PKG.rglob("*.py")):
        if ">>>" in path.read_text():
            rel = path.relative_to(PKG.parent).with_suffix("")
            names.append(".".join(rel.parts).removesuffix(".__init__"))
    return names


@pytest.mark.parametrize("module", _modules_with_examples())
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(mod, module) if t.examples]
    assert tests, f"{module} mentions >>> but no docstring example was found"
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module}"
