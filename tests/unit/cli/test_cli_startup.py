"""``tsig`` start-up stays light: no heavy library is imported to print help or list models.

The check is on the set of imported modules (``python -X importtime``), not on a timing, so it
holds on a loaded machine: torch, Ray, numba, scikit-learn, LightGBM, SciPy and transformers
may only be imported by the commands that use them.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
import typer
from typer.main import get_command

HEAVY = {"torch", "ray", "numba", "sklearn", "lightgbm", "scipy", "transformers"}


def _imported_top_level(args: list[str], cwd: str) -> set[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "trading_signals", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    mods = set()
    for line in res.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            mods.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "trading_signals" in mods  # the parse saw the package itself
    return mods


@pytest.mark.parametrize("args", [["--help"], ["models", "ls"], ["data", "--help"]])
def test_cli_start_up_imports_no_heavy_library(args: list[str], tmp_path) -> None:
    # Act: a fresh interpreter in an empty directory (models ls: an empty registry)
    mods = _imported_top_level(args, str(tmp_path))
    # Assert
    assert not (mods & HEAVY), f"tsig {' '.join(args)} imported {sorted(mods & HEAVY)}"


def test_lazy_command_table_matches_what_the_areas_register() -> None:
    # Arrange: what each area module really registers, on a throw-away app
    from trading_signals import cli

    real: dict[str, str] = {}
    for area in cli._AREAS:
        sub = typer.Typer()

        @sub.callback()
        def _cb() -> None:
            pass

        if area == "data_update":  # adds a subcommand to the data group
            continue
        importlib.import_module(f"trading_signals.cli.{area}").register(sub)
        for name in get_command(sub).list_commands(None):  # type: ignore[attr-defined]
            real[name] = area
    # Assert: every real command is in the lazy table under its area, and nothing else is
    assert set(cli._COMMANDS) == set(real)
    for name, area in real.items():
        assert area in cli._COMMANDS[name][0], name
        assert cli._COMMANDS[name][1], f"{name}: empty help line"
