"""``tsig sentiment eval|score|aggregate``: measure scorers, score news, align news with bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, print_json, table, user_errors
from trading_signals.cli._validate import output_dir

_SCORER_OPT = typer.Option("default", "--scorer", help="default | lexicon | embedding | transformer")
_MODEL_OPT = typer.Option(None, "--model-path", help="transformer: local model directory (never downloaded).")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    sub = typer.Typer(help="News sentiment: evaluate scorers, score news, aggregate onto bars.",
                      no_args_is_help=True)
    sub.command("eval")(eval_cmd)
    sub.command("score")(score_cmd)
    sub.command("aggregate")(aggregate_cmd)
    app.add_typer(sub, name="sentiment")


def _scorer(name: str, model_path: str | None) -> Any:
    from trading_signals.sentiment.registry import get_scorer

    return get_scorer(name, model_path=model_path) if model_path else get_scorer(name)


def eval_cmd(
    file: Path = typer.Argument(..., help="Labelled sentences, one '<sentence>@<label>' per line."),
    scorer: str = _SCORER_OPT,
    model_path: str | None = _MODEL_OPT,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print accuracy, macro-F1, per-class scores, confusion matrix and sentences/s."""
    from trading_signals.data.news import read_labelled_sentences
    from trading_signals.sentiment.evaluate import evaluate_scorer

    with user_errors():
        texts, labels = read_labelled_sentences(file)
        sc = _scorer(scorer, model_path)
        if hasattr(sc, "predict_proba") or hasattr(sc, "_load"):
            sc.score(texts[:2])  # load weights before timing: sentences/s is scoring speed
        report = evaluate_scorer(sc, texts, labels)
    report["file"] = str(file)
    if as_json:
        print_json(report)
        return
    console.print(table(f"sentiment eval: {file.name} ({report['n']} sentences, scorer {scorer})",
                        ["metric", "value"],
                        [("accuracy", report["accuracy"]), ("macro-F1", report["macro_f1"]),
                         ("sentences/s", report["sentences_per_s"])]))
    console.print(table("per class", ["class", "precision", "recall", "F1", "support"],
                        [(k, v["precision"], v["recall"], v["f1"], v["support"])
                         for k, v in report["per_class"].items()]))
    console.print(table("confusion (rows true, columns predicted)",
                        ["true", "negative", "neutral", "positive"],
                        [(t, *row.values()) for t, row in report["confusion"].items()]))


def score_cmd(
    file: list[Path] = typer.Argument(..., help="News files (.jsonl/.csv/.parquet)."),
    scorer: str = _SCORER_OPT,
    model_path: str | None = _MODEL_OPT,
    use_body: bool = typer.Option(False, "--use-body", help="Score headline + body."),
    limit: int = typer.Option(20, "--limit", help="Rows shown in the table (JSON shows all)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Score a news file and print one row per item."""
    from trading_signals.data.news import load_news
    from trading_signals.sentiment.scoring import score_news

    with user_errors():
        scored = score_news(load_news(file), _scorer(scorer, model_path), use_body=use_body)
    cols = ["news_id", "published_at", "symbols", "label", "score", "headline"]
    if as_json:
        print_json(scored[cols + ["p_neg", "p_neu", "p_pos"]].to_dict(orient="records"))
        return
    rows = [(r.published_at, ";".join(r.symbols), r.label, r.score, r.headline[:70])
            for r in scored.head(limit).itertuples()]
    console.print(table(f"{len(scored)} news items scored with {scorer}",
                        ["published_at", "symbols", "label", "score", "headline"], rows))


def aggregate_cmd(
    news: list[Path] = typer.Argument(..., help="News files (.jsonl/.csv/.parquet)."),
    lake: str = typer.Option("lake", "--lake", help="Lake root with the bars: a directory or URI (s3://, gs://, file://).",
                             callback=output_dir),
    timeframe: str = typer.Option("1d", "--timeframe", help="Bar timeframe."),
    symbols: list[str] = typer.Option(None, "--symbol", help="Symbols (repeat); default: all in the lake."),
    half_life_hours: float = typer.Option(24.0, "--half-life-hours", help="Decay half-life."),
    scorer: str = _SCORER_OPT,
    model_path: str | None = _MODEL_OPT,
    write: bool = typer.Option(False, "--write", help="Write table=sentiment partitions to the lake."),
    config: Path = typer.Option(None, "--config", help="Run config YAML; its sentiment section wins."),
    replace: bool = typer.Option(False, "--replace", help="With --write: delete a sentiment table "
                                 "of other settings (or of an older version) first."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Score news and align it point-in-time with each symbol's bars; print a per-symbol summary."""
    import pandas as pd

    from trading_signals.config.run import load_config
    from trading_signals.data.lake import read_panel
    from trading_signals.data.news import load_news
    from trading_signals.sentiment.aggregate import aggregate_panel
    from trading_signals.sentiment.scoring import score_news

    with user_errors():
        use_body = False
        if config is not None:
            cfg = load_config(config).sentiment
            scorer, model_path = cfg.scorer, cfg.model_path
            half_life_hours, use_body = cfg.half_life_hours, cfg.use_body
        table_ = None
        if write:  # refuse a mismatched table before any scoring or writing
            table_ = _prepare_table(lake, timeframe, replace=replace, settings={
                "scorer": scorer, "model_path": model_path,
                "half_life_hours": half_life_hours, "use_body": use_body})
        scored = score_news(load_news(news), _scorer(scorer, model_path), use_body=use_body)
        bars = read_panel(lake, timeframe=timeframe, symbols=symbols or None)
        panel = aggregate_panel(scored, bars, half_life=pd.Timedelta(hours=half_life_hours))
        if table_ is not None:
            _write_panel(lake, panel, timeframe=timeframe, table_=table_, news=news)
    summary = [{"symbol": s, "bars": len(f), "bars_with_news": int(f["article_count"].gt(0).sum()),
                "articles": int(f["article_count"].sum()),
                "first_scored_bar": f["sentiment_score"].first_valid_index(),
                "last_sentiment_score": f["sentiment_score"].iloc[-1] if len(f) else float("nan")}
               for s, f in panel.items()]
    if as_json:
        print_json(summary)
        return
    console.print(table(f"sentiment aggregate ({len(scored)} items, half-life {half_life_hours} h)",
                        list(summary[0]) if summary else ["symbol"],
                        [list(r.values()) for r in summary]))


def _prepare_table(lake: str, timeframe: str, *, replace: bool,
                   settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    # The sentiment table carries a manifest like the features and signals tables
    # (docs/data.md "Output tables and their manifests"): these settings decide its values.
    import hashlib
    import json

    from trading_signals.data.table_manifest import new_manifest, prepare_write

    cid = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    wanted = new_manifest("sentiment", timeframe, settings, cid, None)
    return wanted, prepare_write(lake, wanted, replace=replace, option="--lake")


def _write_panel(lake: str, panel: dict[str, Any], *, timeframe: str,
                 table_: tuple[dict[str, Any], dict[str, Any]], news: list[Path]) -> None:
    import pyarrow as pa

    from trading_signals.data.fingerprint import file_digest, input_digests
    from trading_signals.data.lake import atomic_write_table, partition_files, partition_path
    from trading_signals.data.table_manifest import arrow_columns, check_partition, record_symbols

    wanted, manifest = table_
    news_inputs = {f"news:{p.name}": file_digest(str(p)) for p in news}
    tables = {sym: pa.Table.from_pandas(frame.rename_axis("timestamp")) for sym, frame in panel.items()}
    columns = arrow_columns(next(iter(tables.values())).schema) if tables else None
    written = {}
    for sym, arrow in tables.items():  # every partition checked before the first is written
        check_partition({"columns": manifest.get("columns") or columns}, arrow_columns(arrow.schema),
                        where=str(partition_path(lake, symbol=sym, timeframe=timeframe, table="sentiment")))
    for sym, arrow in tables.items():
        path = partition_path(lake, symbol=sym, timeframe=timeframe, table="sentiment")  # path or URI
        atomic_write_table(arrow, path)
        bars = [str(f) for f in partition_files(lake, timeframe=timeframe, symbols=[sym])]
        written[sym] = {"inputs": {**input_digests(bars, root=lake), **news_inputs},
                        "rows": arrow.num_rows}
    record_symbols(lake, wanted, written, columns)
