"""Local fake servers for the research tests: a Pinecone data plane and an OpenAI-compatible chat.

Both record every request (path, headers, JSON body) so tests can check what the SDKs sent.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _match(meta: dict[str, Any], flt: dict[str, Any] | None) -> bool:
    """Pinecone metadata filter subset: implicit AND, $and/$or, $eq $ne $gt $gte $lt $lte $in $nin."""
    if not flt:
        return True
    for key, cond in flt.items():
        if key == "$and":
            if not all(_match(meta, c) for c in cond):
                return False
            continue
        if key == "$or":
            if not any(_match(meta, c) for c in cond):
                return False
            continue
        if not isinstance(cond, dict):
            cond = {"$eq": cond}
        if key not in meta:
            return False
        v = meta[key]
        for op, ref in cond.items():
            ok = {"$eq": lambda: v == ref, "$ne": lambda: v != ref, "$gt": lambda: v > ref,
                  "$gte": lambda: v >= ref, "$lt": lambda: v < ref, "$lte": lambda: v <= ref,
                  "$in": lambda: v in ref, "$nin": lambda: v not in ref}[op]()
            if not ok:
                return False
    return True


def _cosine(a: list[float], b: list[float]) -> float:
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(x * x for x in b)) or 1.0
    return sum(x * y for x, y in zip(a, b, strict=True)) / (na * nb)


class _Base(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def _body(self) -> dict[str, Any]:
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        self.server.requests.append({"method": self.command, "path": self.path,
                                     "headers": dict(self.headers), "json": body})
        return body

    def _send(self, obj: Any, status: int = 200) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _PineconeHandler(_Base):
    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = self._body()
        ns = self.server.vectors.setdefault(body.get("namespace", ""), {})
        if self.path == "/vectors/upsert":
            for v in body["vectors"]:
                ns[v["id"]] = v
            self._send({"upsertedCount": len(body["vectors"])})
        elif self.path == "/query":
            flt = body.get("filter")
            scored = [(_cosine(body["vector"], v["values"]), vid, v) for vid, v in ns.items()
                      if _match(v.get("metadata", {}), flt)]
            scored.sort(key=lambda t: (-t[0], t[1]))
            matches = [{"id": vid, "score": s, "values": [],
                        **({"metadata": v.get("metadata", {})} if body.get("includeMetadata") else {})}
                       for s, vid, v in scored[: body["topK"]]]
            self._send({"matches": matches, "namespace": body.get("namespace", ""),
                        "usage": {"readUnits": 1}})
        elif self.path == "/vectors/delete":
            if body.get("deleteAll"):
                ns.clear()
            for vid in body.get("ids") or []:
                ns.pop(vid, None)
            if body.get("filter"):
                for vid in [k for k, v in ns.items() if _match(v.get("metadata", {}), body["filter"])]:
                    del ns[vid]
            self._send({})
        else:
            self._send({"code": 5, "message": f"not implemented: {self.path}"}, status=404)


class _ChatHandler(_Base):
    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = self._body()
        if self.path.endswith("/embeddings"):
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            data = [{"object": "embedding", "index": i,
                     "embedding": [float(len(t)), float(sum(map(ord, t)) % 97), 1.0]}
                    for i, t in enumerate(texts)]
            self._send({"object": "list", "data": data[::-1], "model": body.get("model"),
                        "usage": {"prompt_tokens": 1, "total_tokens": 1}})
            return
        if not self.path.endswith("/chat/completions"):
            self._send({"error": {"message": f"unknown path {self.path}"}}, status=404)
            return
        self._send({"id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": self.server.reply}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler], **state: Any) -> Iterator[Any]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.requests = []  # type: ignore[attr-defined]
    for k, v in state.items():
        setattr(srv, k, v)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@contextmanager
def fake_pinecone() -> Iterator[Any]:
    """A fake Pinecone index data plane; ``srv.url`` is its host, ``srv.requests`` the log."""
    with _serve(_PineconeHandler, vectors={}) as srv:
        srv.url = f"http://127.0.0.1:{srv.server_address[1]}"
        yield srv


@contextmanager
def fake_openai(reply: str) -> Iterator[Any]:
    """A fake OpenAI-compatible chat endpoint answering ``reply``; ``srv.url`` ends in ``/v1``."""
    with _serve(_ChatHandler, reply=reply) as srv:
        srv.url = f"http://127.0.0.1:{srv.server_address[1]}/v1"
        yield srv
