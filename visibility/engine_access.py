"""The one door to the answer engines: which are configured and the engine for a name.

The clients and `visibility/engines/registry.py` (`configured_engines()`, `get_engine(name)`,
`not_configured_message()`) are their own module; it is imported lazily here, and a missing
registry reads as "no engine configured", so tracking, the API and the admin say so
instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .engines.base import AnswerEngine, EngineError

NO_REGISTRY_MESSAGE = ("No answer engine is configured: set an engine's API key "
                       "(see docs/ai-visibility.md).")


class EngineNotConfigured(Exception):
    code = "no_engine_configured"


@dataclass(frozen=True, slots=True)
class EngineStatus:
    configured: bool
    engines: tuple[str, ...]
    message: str


def _registry() -> ModuleType | None:
    try:
        from .engines import registry
    except ImportError:
        return None
    return registry


def _name(item: Any) -> str:
    return item if isinstance(item, str) else str(getattr(item, "name", ""))


def engine_status() -> EngineStatus:
    """The configured engines' names, or why there is none."""
    registry = _registry()
    if registry is None:
        return EngineStatus(False, (), NO_REGISTRY_MESSAGE)
    names = tuple(n for n in (_name(e) for e in registry.configured_engines()) if n)
    if names:
        return EngineStatus(True, names, f"Configured engines: {', '.join(names)}.")
    return EngineStatus(False, (), str(registry.not_configured_message()) or NO_REGISTRY_MESSAGE)


def engine_names() -> tuple[str, ...]:
    """Configured engine names; EngineNotConfigured (with the registry's message) if none."""
    status = engine_status()
    if not status.configured:
        raise EngineNotConfigured(status.message)
    return status.engines


def engine_get(name: str) -> AnswerEngine:
    """The engine client for `name`; EngineNotConfigured when it is not configured."""
    registry = _registry()
    if registry is None:
        raise EngineNotConfigured(NO_REGISTRY_MESSAGE)
    for item in registry.configured_engines():
        if not isinstance(item, str) and _name(item) == name:
            return item
    if name not in engine_status().engines:
        raise EngineNotConfigured(f"The answer engine {name!r} is not configured. "
                                  f"{engine_status().message}")
    try:
        return registry.get_engine(name)
    except EngineError as exc:  # the registry's own "not configured" (unknown name, no key)
        raise EngineNotConfigured(str(exc)) from exc
