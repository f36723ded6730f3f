"""``tsig config show FILE``."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from trading_signals.cli._output import JSON_OPTION, console, print_json, user_errors
from trading_signals.config import RunConfig, config_id, load_config


def load_checked_config(path: str | Path) -> RunConfig:
    """Load a run config for a command: :func:`~trading_signals.config.load_config`.

    Every check (types, ranges, key names, model hyper-parameters, timeframes, timezones and
    the indicator spec against the indicator vocabulary) runs in ``load_config`` itself, so
    jobs and library callers get the same errors; kept as the CLI's named entry point.

    Raises
    ------
    ConfigError
        Naming the file and the key path (``features.indicators.1.name: unknown indicator ...``).
    """
    return load_config(path)


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(help="Inspect run configurations.", no_args_is_help=True)

    @config_app.command("show")
    def show(
        file: Path = typer.Argument(..., help="YAML run config, e.g. configs/base.yaml"),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Print the resolved config (defaults filled in) and its content-hash config_id."""
        with user_errors():
            cfg = load_checked_config(file)
        resolved = cfg.model_dump(mode="json")
        if as_json:
            print_json({"config_id": config_id(cfg), "config": resolved})
            return
        console.print(f"[bold]config_id[/]: {config_id(cfg)}  ({file})")
        console.print(yaml.safe_dump(resolved, sort_keys=False), highlight=False, markup=False)

    app.add_typer(config_app, name="config")
