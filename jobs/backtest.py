"""Ray job: the end-to-end backtest study (gate -> features -> signals -> portfolio ->
walk-forward -> Monte Carlo), written atomically to ``<study.runs>/<config_id>/``.

    python jobs/backtest.py --config configs/backtest.yaml                  # local Ray
    ray job submit --working-dir . \
        --runtime-env-json '{"env_vars": {"TSIG_STORAGE": "/shared/tsig"}}' \
        -- python jobs/backtest.py --config configs/backtest.yaml

Under ``ray job submit`` relative locations (data.lake, study.runs, models.registry) resolve
against TSIG_STORAGE (or study.storage); without one the job stops at once saying so. The job
prints the absolute location of its outputs.

Exit codes: 0 done, 1 the study failed, 2 the configuration is invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

try:
    import trading_signals  # noqa: F401
except ImportError:  # submitted with --working-dir onto a cluster without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from trading_signals.config import config_id, load_config
from trading_signals.errors import TradingSignalsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="YAML run config, e.g. configs/backtest.yaml")
    parser.add_argument("--address", default=None, help="Ray address (default: RAY_ADDRESS or local)")
    parser.add_argument("--serial", action="store_true", help="run every stage without Ray")
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.config)
    except TradingSignalsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run = config_id(cfg)
    from trading_signals.workflow.study import StudyLocations, run_study

    try:
        where = StudyLocations.from_config(cfg)  # fails fast on relative paths under a job
    except TradingSignalsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"study {cfg.name} config_id={run} lake={_absolute(where.lake)} "
          f"runs={_absolute(where.runs)}", flush=True)
    try:
        from trading_signals.cli._executor import make_executor

        executor = make_executor(not args.serial, args.address)
        result = run_study(cfg, executor, on_stage=_log_stage)
    except TradingSignalsError as exc:
        print(f"error: study {run} failed: {exc}", file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - top-level guard: log and exit non-zero
        print(f"error: study {run} crashed:\n{traceback.format_exc()}", file=sys.stderr)
        return 1
    print(json.dumps({"config_id": run, "run_id": result.run_id,
                      "run_dir": _absolute(result.run_dir), "lake": _absolute(where.lake),
                      "reused": bool(result.summary.get("reused")),
                      "seconds": result.summary.get("seconds")}, indent=2))
    return 0


def _absolute(location: str) -> str:
    from trading_signals.data import storage

    return location if storage.is_remote(location) else str(Path(storage.local_path(location)).resolve())


def _log_stage(stage: str, done: int, total: int) -> None:
    if done == total:
        print(f"[{stage}] {done}/{total} done", flush=True)


if __name__ == "__main__":
    sys.exit(main())
