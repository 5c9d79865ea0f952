"""Ask the configured answer engines one question from the terminal (to check a setup).

    python -m visibility.engines --list
    python -m visibility.engines [--engine gemini] [--language de] [--country DE] [--json] "question"

Exit status: 0 all answered, 1 an engine failed (its error is printed), 2 nothing configured
or an unknown/unconfigured engine was named."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from typing import Any


def _print_answer(answer: Any) -> None:
    print(f"== {answer.engine} ({answer.model}) {answer.latency_ms} ms, {answer.input_tokens} in / "
          f"{answer.output_tokens} out tokens, ${answer.cost_usd}")
    print(answer.text)
    for citation in answer.citations:
        domain = f" [{citation.domain}]" if citation.domain else ""
        print(f"  [{citation.position}] {citation.url}{domain} {citation.title}".rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m visibility.engines", description=__doc__.split("\n")[0])
    parser.add_argument("question", nargs="?", default="")
    parser.add_argument("--engine", action="append", default=[], help="engine name (repeatable)")
    parser.add_argument("--language", default="")
    parser.add_argument("--country", default="")
    parser.add_argument("--list", action="store_true", help="show every engine and its status")
    parser.add_argument("--json", action="store_true", help="one JSON object per answer")
    args = parser.parse_args(argv)

    from .base import EngineError
    from .registry import (
        EngineNotConfigured,
        configured_engines,
        engine_statuses,
        get_engine,
        not_configured_message,
    )

    if args.list:
        for status in engine_statuses():
            state = "enabled" if status.enabled else status.problem
            print(f"{status.name:<18} {status.model or '(default)':<24} "
                  f"{'web search' if status.retrieval else 'no retrieval':<13} {state}")
        return 0
    if not args.question.strip():
        parser.error("a question is required (or --list)")
    try:
        engines = [get_engine(name) for name in args.engine] or configured_engines()
    except EngineNotConfigured as exc:
        print(exc, file=sys.stderr)
        return 2
    if not engines:
        print(not_configured_message(), file=sys.stderr)
        return 2
    failed = False
    for engine in engines:
        try:
            answer = engine.ask(args.question, language=args.language, country=args.country)
        except EngineError as exc:
            failed = True
            print(f"== {engine.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(asdict(answer), default=str, ensure_ascii=False))
        else:
            _print_answer(answer)
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
    import django

    django.setup()
    sys.exit(main())
