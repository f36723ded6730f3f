r"""Ray job entrypoint: index research documents on a cluster (same index as `tsig rag ingest`).

    ray job submit --working-dir . -- python jobs/index_documents.py docs/ --store s3://bucket/rag

Documents are cut into batches; each batch is split and embedded (batched) in a Ray task, and the
driver upserts the results in document order into the store, so the index equals the serial one.
Prints a JSON summary; exits 1 on any failure, 2 on bad input.
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
    p.add_argument("paths", nargs="*", help="files or directories (.txt .md .pdf .jsonl)")
    p.add_argument("--sample", action="store_true", help="index the packaged illustrative corpus")
    p.add_argument("--symbol", default=None)
    p.add_argument("--published-at", default=None)
    p.add_argument("--type", dest="doc_type", default=None)
    p.add_argument("--source", default=None)
    p.add_argument("--store", default=None, help="LanceDB directory or s3:// URI")
    p.add_argument("--docs-per-task", type=int, default=8)
    p.add_argument("--num-cpus", type=float, default=1.0, help="CPUs per embedding task")
    p.add_argument("--serial", action="store_true", help="no Ray: the core's serial path")
    p.add_argument("--address", default=None)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from trading_signals.errors import TradingSignalsError
    from trading_signals.research.documents import load_documents
    from trading_signals.research.indexing import ingest_documents
    from trading_signals.research.stores import open_store

    try:
        paths = list(args.paths)
        if args.sample:
            from trading_signals.research.documents import SAMPLE_CORPUS

            paths.append(SAMPLE_CORPUS)
        defaults = {"symbol": args.symbol, "published_at": args.published_at,
                    "type": args.doc_type, "source": args.source}
        docs = load_documents(paths, defaults=defaults)
        store = open_store(args.store)
        executor = None
        if not args.serial:
            from trading_signals.distributed.executor import RayExecutor

            executor = RayExecutor(args.address, num_cpus=args.num_cpus)
        summary = ingest_documents(docs, store, executor=executor, docs_per_task=args.docs_per_task)
        store.optimize()
    except TradingSignalsError as exc:
        print(f"index_documents job failed: {exc}", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 - entrypoint: report any failure, exit non-zero
        print("index_documents job failed:", file=sys.stderr)
        traceback.print_exc()
        return 1
    print(json.dumps({**summary.as_dict(), "store": args.store, "ray": not args.serial}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
