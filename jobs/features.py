r"""Ray job entrypoint: build the features table on a cluster (same stage as `tsig features --ray`).

    ray job submit --working-dir . -- python jobs/features.py --lake /data/lake --out /data/lake --higher 1w

Inside a job, RAY_ADDRESS is set and the Ray executor joins the cluster; run standalone, it
starts a local Ray. Relative --lake/--out under a job resolve against TSIG_STORAGE (or fail at
once). Prints a JSON summary; exits 1 on any failure, 2 on bad input.
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lake", required=True, help="bars lake root")
    p.add_argument("--out", required=True, help="features lake root")
    p.add_argument("--timeframe", default="1d")
    p.add_argument("--symbols", default="", help="comma-separated; default all")
    p.add_argument("--higher", default="", help="comma-separated higher timeframes, e.g. 1w")
    p.add_argument("--config", default=None, help="run config YAML (features section)")
    p.add_argument("--address", default=None)
    p.add_argument("--serial", action="store_true", help="run without Ray")
    p.add_argument("--replace", action="store_true",
                   help="delete a features table of other options under --out first")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from trading_signals.config import config_id, load_config
    from trading_signals.config.run import RunConfig
    from trading_signals.errors import TradingSignalsError
    from trading_signals.workflow.features import build_features
    from trading_signals.workflow.locations import resolve_output

    try:
        cfg = load_config(args.config) if args.config else RunConfig()
        features = cfg.features
        if args.higher:
            features = features.model_copy(
                update={"higher_timeframes": tuple(t for t in args.higher.split(",") if t)})
        lake = resolve_output(args.lake, what="--lake", configured_root=cfg.study.storage)
        out = resolve_output(args.out, what="--out", configured_root=cfg.study.storage)
    except TradingSignalsError as exc:
        print(f"features job: bad input: {exc}", file=sys.stderr)
        return 2
    symbols = [s for s in args.symbols.split(",") if s] or None
    cid = config_id(features)
    try:
        from trading_signals.cli._executor import make_executor

        executor = make_executor(not args.serial, args.address)
        summary = build_features(features, executor, lake=lake, out=out, timeframe=args.timeframe,
                                 symbols=symbols, replace=args.replace)
    except TradingSignalsError as exc:
        print(f"features job failed (config_id={cid}): {exc}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 - entrypoint: report any failure, exit non-zero
        print(f"features job failed (config_id={cid}):", file=sys.stderr)
        traceback.print_exc()
        return 1
    print(json.dumps({"config_id": cid, **summary.to_dict()}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
