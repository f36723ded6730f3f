"""Cluster entrypoint: hyper-parameter search + register the best model.

    ray job submit --working-dir . -- python -m jobs.tune --config configs/tune_lstm.yaml

Inside a Ray job ``RAY_ADDRESS`` is set, so the search runs on the cluster; standalone it starts
a local Ray. Exits non-zero (with the config id) on failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback

from pathlib import Path

try:
    import trading_signals  # noqa: F401
except ImportError:  # submitted with --working-dir onto a cluster without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="run config YAML with a tune section")
    parser.add_argument("--registry", default=None, help="model registry (default: models.registry)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted search")
    args = parser.parse_args(argv)

    from trading_signals.config import config_id, load_config
    from trading_signals.distributed.runtime import ensure_ray
    from trading_signals.distributed.tune import tune_and_register
    from trading_signals.models.dataset import build_xy
    from trading_signals.models.workflow import holdout_split

    cfg = load_config(args.config)
    try:
        X, y, _, _ = build_xy(cfg)
        split = holdout_split(X, test_bars=cfg.models.test_bars, purge=cfg.models.horizon)
        with contextlib.redirect_stdout(sys.stderr):  # Tune's progress tables -> stderr
            ensure_ray()
            out = tune_and_register(X.iloc[split.train], y.iloc[split.train], cfg, resume=args.resume,
                                    registry_root=args.registry)
    except Exception:  # noqa: BLE001 - entrypoint: log config id + traceback, exit non-zero
        print(f"tune job failed (config_id={config_id(cfg)}):\n{traceback.format_exc()}", file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
