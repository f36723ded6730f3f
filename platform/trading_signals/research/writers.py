"""Report writers: an offline writer (default) and any OpenAI-compatible chat endpoint.

Both take a :class:`~trading_signals.research.context.ReportContext` and return Markdown. The
offline writer only rearranges the context (figures verbatim, passages quoted with source and
date), so it is deterministic. The LLM writer sends the context as its prompt; its answer is
checked by :mod:`trading_signals.research.figures` and any invented figure is flagged.

LLM configuration (environment, or a Kubernetes Secret mounted as a file):
``TSIG_LLM_MODEL`` (required to enable it), ``TSIG_LLM_BASE_URL`` (OpenAI when unset; vLLM,
Ollama, Azure... via their OpenAI-compatible URL), ``TSIG_LLM_API_KEY`` or ``OPENAI_API_KEY``, or
``TSIG_LLM_API_KEY_FILE`` (path of a file holding the key), ``TSIG_LLM_TIMEOUT`` (seconds, 60).
``TSIG_WRITER=offline`` forces the offline writer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trading_signals.errors import ConfigError, SourceError
from trading_signals.research.context import ReportContext
from trading_signals.research.retrieval import Passage

QUOTE_CHARS = 360
SYSTEM_PROMPT = (
    "You are an equity research analyst. Write a concise research report in Markdown using ONLY "
    "the context provided. Every number you write must be copied exactly from the context; never "
    "use figures from memory. Cite passages as [n] with the numbers given in the context. Use the "
    "sections: Thesis, Technical picture, Fundamentals (only if figures are given), Sentiment and "
    "news, Signal and contributions, Risk, Catalysts, Risk factors."
)


def _quote(p: Passage, n: int) -> str:
    text = " ".join(p.text.split())
    if len(text) > QUOTE_CHARS:
        cut = text[:QUOTE_CHARS].rsplit(" ", 1)[0]
        text = cut + " ..."
    return f'> "{text}"\n>\n> -- {p.source}, {p.doc_type}, {p.date} [{n}]'


def _facts_table(facts: Mapping[str, str]) -> list[str]:
    rows = ["| figure | value |", "|---|---|"]
    rows += [f"| {k} | {str(v).replace('|', '/')} |" for k, v in facts.items()]
    return rows


class OfflineWriter:
    """Assemble the report from the context alone (no model, deterministic)."""

    name = "offline"
    model = None

    def write(self, ctx: ReportContext) -> str:
        """Return the report body in Markdown (sources are appended by the caller)."""
        f, out = ctx.facts, [f"# {ctx.symbol}: research report as of {ctx.as_of:%Y-%m-%d}", ""]
        out += ["*Written by the offline writer from the platform's figures and retrieved "
                "passages; not investment advice.*", ""]
        sig = f.get("signal", {})
        out += ["## Thesis", ""]
        if sig.get("signal"):
            out.append(f"The confluence engine reads **{sig['signal']}** "
                       + (f"(score {sig['confluence score']}, confidence {sig['confidence']}) "
                          if "confluence score" in sig else "")
                       + "on the last bar at or before the as-of date.")
            out.append("")
        out += self._quotes(ctx, "thesis", "No thesis material was retrieved.")
        out += ["## Technical picture", ""]
        out += _facts_table(f["technical"]) if f.get("technical") else ["No price history given."]
        out.append("")
        if f.get("fundamentals"):
            out += ["## Fundamentals", "", *_facts_table(f["fundamentals"]), ""]
            out += self._quotes(ctx, "fundamentals", "")
        out += ["## Sentiment and news", "", *_facts_table(f.get("sentiment", {})), ""]
        out += self._quotes(ctx, "news", "No news was retrieved.")
        out += ["## Signal and contributions", ""]
        out += _facts_table(sig) if sig else ["No signal (no price history given)."]
        out += ["", "## Risk", ""]
        out += _facts_table(f["risk"]) if f.get("risk") else ["No price history given."]
        out += ["", "## Catalysts", ""]
        out += self._quotes(ctx, "catalysts", "No catalysts were retrieved.")
        out += ["## Risk factors", ""]
        out += self._quotes(ctx, "risks", "No risk factors were retrieved.")
        return "\n".join(out).rstrip() + "\n"

    def _quotes(self, ctx: ReportContext, section: str, empty: str) -> list[str]:
        ps = ctx.passages.get(section, [])
        if not ps:
            return [empty, ""] if empty else []
        out: list[str] = []
        for p in ps:
            out += [_quote(p, ctx.cite(p)), ""]
        return out


class LLMWriter:
    """Write the report with an OpenAI-compatible chat completion endpoint.

    Parameters
    ----------
    model, base_url, api_key
        Chat model, endpoint base URL (``.../v1``) and key.
    temperature, timeout
        Sampling temperature (0: as repeatable as the server allows) and request timeout.
    """

    name = "llm"

    def __init__(self, *, model: str, base_url: str | None = None, api_key: str | None = None,
                 temperature: float = 0.0, timeout: float = 60.0) -> None:
        self.model = model
        self.base_url = base_url
        self.api_key = api_key or "not-needed"  # local servers (vLLM, Ollama) accept any key
        self.temperature = temperature
        self.timeout = timeout

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMWriter | None:
        """The configured LLM writer, or None when no model is configured."""
        env = os.environ if env is None else env
        if env.get("TSIG_WRITER", "").strip().lower() == "offline" or not env.get("TSIG_LLM_MODEL"):
            return None
        key = env.get("TSIG_LLM_API_KEY") or env.get("OPENAI_API_KEY")
        key_file = env.get("TSIG_LLM_API_KEY_FILE")
        if key_file:
            path = Path(key_file)
            if not path.is_file():
                raise ConfigError(f"TSIG_LLM_API_KEY_FILE={key_file}: no such file (mount the "
                                  "Secret there or unset the variable)")
            key = path.read_text(encoding="utf-8").strip()
        try:
            timeout = float(env.get("TSIG_LLM_TIMEOUT", "60"))
        except ValueError as exc:
            raise ConfigError(f"TSIG_LLM_TIMEOUT={env['TSIG_LLM_TIMEOUT']!r} is not a number") from exc
        return cls(model=env["TSIG_LLM_MODEL"], base_url=env.get("TSIG_LLM_BASE_URL") or None,
                   api_key=key, timeout=timeout)

    def messages(self, ctx: ReportContext) -> list[dict[str, str]]:
        """The chat messages sent for ``ctx`` (system rules + the context)."""
        user = (f"Write the research report on {ctx.symbol} as of {ctx.as_of:%Y-%m-%d}.\n\n"
                f"Context:\n{ctx.text()}")
        return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]

    def write(self, ctx: ReportContext) -> str:
        """Call the endpoint and return the answer's Markdown."""
        import openai

        client = openai.OpenAI(base_url=self.base_url, api_key=self.api_key,
                               timeout=self.timeout, max_retries=1)
        try:
            resp: Any = client.chat.completions.create(model=self.model, temperature=self.temperature,
                                                       messages=self.messages(ctx))
        except openai.OpenAIError as exc:
            raise SourceError(f"LLM endpoint {self.base_url or 'OpenAI'} (model {self.model}) "
                              f"failed: {exc}; check TSIG_LLM_BASE_URL/TSIG_LLM_MODEL/key, or "
                              "set TSIG_WRITER=offline") from exc
        content = resp.choices[0].message.content if resp.choices else None
        if not content:
            raise SourceError(f"LLM endpoint returned no content (model {self.model})")
        return str(content).rstrip() + "\n"


def writer_from_env(env: Mapping[str, str] | None = None) -> OfflineWriter | LLMWriter:
    """The LLM writer when configured, else the offline writer."""
    return LLMWriter.from_env(env) or OfflineWriter()
