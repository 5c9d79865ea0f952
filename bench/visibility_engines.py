"""AI visibility engine clients: our overhead per question against local fake providers.

    .venv/bin/python bench/visibility_engines.py [--calls 300] [--citations 20]

For each engine (OpenAI Responses, Perplexity Agent API and legacy Sonar, Gemini grounding,
OpenAI-compatible chat) it asks `--calls` questions in a row against the fake server of
tests/visibility/engines/fakes.py (real HTTP on 127.0.0.1, keep-alive) and prints the
round-trip p50/p95 and questions per second, then the parse-and-number cost alone on one large
answer (2,000 citations, ~1 MB). The real providers take seconds per answer: the point is that
the client adds only a small fraction of that. Prints figures; no assertions."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
os.environ.setdefault("SEOAUDIT_QUIET_STARTUP", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from tests.visibility.engines.fakes import (  # noqa: E402
    REDIRECT,
    Reply,
    chat_answer,
    fake_provider,
    gemini_answer,
    openai_answer,
    perplexity_agent_answer,
    sonar_answer,
)
from visibility.engines.citations import numbered  # noqa: E402
from visibility.engines.config import EngineConfig  # noqa: E402
from visibility.engines.gemini import GeminiEngine  # noqa: E402
from visibility.engines.openai_compatible import OpenAICompatibleEngine  # noqa: E402
from visibility.engines.openai_responses import OpenAIResponsesEngine, parse_response_output  # noqa: E402
from visibility.engines.perplexity import PerplexityEngine  # noqa: E402

SENTENCE = "Cold brew steeps for 12 to 18 hours and Ember Coffee sells a coarse burr grinder. "


def answers(citations: int) -> dict[str, dict]:
    urls = [(f"https://site{i}.example/article/{i}?utm_source=openai", f"Source {i}")
            for i in range(citations)]
    text = SENTENCE * 30 + " ".join(title for _, title in urls)
    supports = [(i * 10, i * 10 + 9, [i]) for i in range(citations)]
    return {
        "openai": openai_answer(text, urls, queries=["q1", "q2"]),
        "perplexity": perplexity_agent_answer(text, urls),
        "sonar": sonar_answer(text, [u for u, _ in urls]),
        "gemini": gemini_answer(text, [(REDIRECT + f"AUZ{i}", f"site{i}.example")
                                       for i in range(citations)], supports=supports),
        "compat": chat_answer(text + " " + " ".join(u for u, _ in urls)),
    }


def engine_for(kind: str, base_url: str, api_key: str):
    common = dict(api_key=api_key, timeout_s=10.0, max_retries=0, max_response_bytes=5_000_000)
    if kind == "openai":
        return OpenAIResponsesEngine(EngineConfig(name="openai", base_url=base_url + "/v1",
                                                  model="gpt-4.1-mini", **common))
    if kind in ("perplexity", "sonar"):
        return PerplexityEngine(EngineConfig(name="perplexity", base_url=base_url, model="",
                                             options={"api": "agent" if kind == "perplexity" else "sonar"},
                                             **common))
    if kind == "gemini":
        return GeminiEngine(EngineConfig(name="gemini", base_url=base_url, model="gemini-2.5-flash",
                                         **common))
    return OpenAICompatibleEngine(EngineConfig(name="openai_compatible", base_url=base_url + "/v1",
                                               model="llama3.1:8b", **common))


PROTOCOL = {"openai": "openai", "perplexity": "perplexity", "sonar": "perplexity",
            "gemini": "gemini", "compat": "compat"}


def round_trips(calls: int, citations: int) -> None:
    bodies = answers(citations)
    print(f"round trip against the local fakes, {calls} questions each, {citations} citations "
          "per answer:")
    for kind, body in bodies.items():
        with fake_provider(PROTOCOL[kind]) as fake:
            fake.default = lambda _request, body=body: Reply(body=body)
            engine = engine_for(kind, fake.base_url, fake.api_key)
            engine.ask("warm up")
            times = []
            started = time.perf_counter()
            for _ in range(calls):
                t0 = time.perf_counter()
                answer = engine.ask("How long does cold brew steep?")
                times.append((time.perf_counter() - t0) * 1000)
            wall = time.perf_counter() - started
        times.sort()
        print(f"  {kind:<11} p50 {statistics.median(times):6.2f} ms  p95 "
              f"{times[int(len(times) * 0.95) - 1]:6.2f} ms  {calls / wall:7.0f} questions/s  "
              f"({len(answer.citations)} citations kept)")


def parse_large() -> None:
    urls = [(f"https://site{i}.example/a/{i}?utm_source=openai", f"Source {i}") for i in range(2000)]
    body = openai_answer(SENTENCE * 8000, urls)
    import json
    size = len(json.dumps(body))
    runs = 5
    started = time.perf_counter()
    for _ in range(runs):
        parsed = parse_response_output(body, label="OpenAI")
        cited = numbered(parsed.annotated)
    per_run = (time.perf_counter() - started) / runs * 1000
    print(f"parse + number one large answer ({size / 1e6:.2f} MB JSON, {len(cited)} citations): "
          f"{per_run:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--citations", type=int, default=20)
    args = parser.parse_args()
    round_trips(args.calls, args.citations)
    parse_large()


if __name__ == "__main__":
    main()
