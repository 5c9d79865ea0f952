"""Which answer engines exist, which are configured, and how to get one.

Settings (seoaudit/settings.py, block "AI visibility engines") decide: AI_VISIBILITY_ENGINES
lists the engines to use (comma list); empty means every engine whose key (or, for the
OpenAI-compatible engine, base URL) is set. Each engine has its key, base URL, model, timeout and
prices; `not_configured_message()` says which variables enable which engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import structlog
from django.conf import settings

from .base import AnswerEngine, EngineError
from .config import EngineConfig

log = structlog.get_logger(__name__)


class EngineNotConfigured(EngineError):
    """The engine asked for is unknown, not enabled or has no credentials; the message says
    which environment variables fix it."""


@dataclass(frozen=True, slots=True)
class EngineSpec:
    name: str
    label: str
    retrieval: bool
    #: Setting names (the same as the environment variables, except where noted in the README).
    key_setting: str
    base_url_setting: str
    model_setting: str
    #: Prefix of the shared per-engine settings: <prefix>_TIMEOUT_S, <prefix>_PRICE_*.
    prefix: str
    #: What enables it, for humans.
    enable_hint: str
    #: The setting that must be non-empty for the engine to count as configured.
    required_setting: str
    #: Used when the base URL setting is set to an empty string.
    default_base_url: str = ""


SPECS: dict[str, EngineSpec] = {spec.name: spec for spec in (
    EngineSpec("openai", "OpenAI (Responses API with web search)", True,
               "AI_VISIBILITY_OPENAI_API_KEY", "AI_VISIBILITY_OPENAI_BASE_URL",
               "AI_VISIBILITY_OPENAI_MODEL", "AI_VISIBILITY_OPENAI",
               "set AI_VISIBILITY_OPENAI_API_KEY (or OPENAI_API_KEY)", "AI_VISIBILITY_OPENAI_API_KEY",
               "https://api.openai.com/v1"),
    EngineSpec("perplexity", "Perplexity (Sonar, web search with citations)", True,
               "PERPLEXITY_API_KEY", "PERPLEXITY_BASE_URL", "PERPLEXITY_MODEL",
               "AI_VISIBILITY_PERPLEXITY", "set PERPLEXITY_API_KEY", "PERPLEXITY_API_KEY",
               "https://api.perplexity.ai"),
    EngineSpec("gemini", "Google Gemini (grounding with Google Search)", True,
               "GEMINI_API_KEY", "GEMINI_BASE_URL", "GEMINI_MODEL", "AI_VISIBILITY_GEMINI",
               "set GEMINI_API_KEY (or GOOGLE_API_KEY)", "GEMINI_API_KEY",
               "https://generativelanguage.googleapis.com"),
    EngineSpec("openai_compatible", "OpenAI-compatible chat endpoint (no web search)", False,
               "AI_VISIBILITY_COMPAT_API_KEY", "AI_VISIBILITY_COMPAT_BASE_URL",
               "AI_VISIBILITY_COMPAT_MODEL", "AI_VISIBILITY_COMPAT",
               "set AI_VISIBILITY_COMPAT_BASE_URL and AI_VISIBILITY_COMPAT_MODEL "
               "(AI_VISIBILITY_COMPAT_API_KEY if the server needs one)",
               "AI_VISIBILITY_COMPAT_BASE_URL"),
)}


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """One engine as the settings describe it (for an API listing and the 'not configured' text)."""

    name: str
    label: str
    retrieval: bool
    enabled: bool
    model: str
    #: Empty when usable; else why not (no key, not in AI_VISIBILITY_ENGINES, ...).
    problem: str


def _setting(name: str, default: object = "") -> object:
    return getattr(settings, name, default)


def _decimal(name: str) -> Decimal:
    try:
        value = Decimal(str(_setting(name, 0) or 0))
    except ArithmeticError:
        return Decimal(0)
    return value if value.is_finite() and value >= 0 else Decimal(0)


def engine_config(name: str) -> EngineConfig | None:
    """The engine's configuration from settings, or None when its key/base URL is missing."""
    spec = SPECS.get(name)
    if spec is None or not str(_setting(spec.required_setting) or "").strip():
        return None
    if name == "openai_compatible" and not str(_setting(spec.model_setting) or "").strip():
        return None
    options = {
        "openai": {"web_search_tool": str(_setting("AI_VISIBILITY_OPENAI_WEB_SEARCH_TOOL"))},
        "perplexity": {"api": str(_setting("PERPLEXITY_API") or "agent"),
                       "preset": str(_setting("PERPLEXITY_PRESET") or "")},
    }.get(name, {})
    timeout = _setting(f"{spec.prefix}_TIMEOUT_S", None) or settings.AI_VISIBILITY_TIMEOUT_S
    return EngineConfig(
        name=name, base_url=str(_setting(spec.base_url_setting) or "").strip() or spec.default_base_url,
        model=str(_setting(spec.model_setting) or "").strip(),
        api_key=str(_setting(spec.key_setting) or "").strip(),
        timeout_s=float(timeout), connect_timeout_s=settings.AI_VISIBILITY_CONNECT_TIMEOUT_S,
        max_retries=settings.AI_VISIBILITY_MAX_RETRIES,
        retry_backoff_s=settings.AI_VISIBILITY_RETRY_BACKOFF_S,
        max_response_bytes=settings.AI_VISIBILITY_MAX_RESPONSE_BYTES,
        max_output_tokens=settings.AI_VISIBILITY_MAX_OUTPUT_TOKENS,
        price_input_per_1k=_decimal(f"{spec.prefix}_PRICE_INPUT_PER_1K"),
        price_output_per_1k=_decimal(f"{spec.prefix}_PRICE_OUTPUT_PER_1K"),
        price_per_search=_decimal(f"{spec.prefix}_PRICE_PER_SEARCH"),
        options={k: v for k, v in options.items() if v})


def _factory(name: str) -> Callable[[EngineConfig], AnswerEngine]:
    # Imported here: a process that never asks an engine does not load the clients.
    if name == "openai":
        from .openai_responses import OpenAIResponsesEngine
        return OpenAIResponsesEngine
    if name == "perplexity":
        from .perplexity import PerplexityEngine
        return PerplexityEngine
    if name == "gemini":
        from .gemini import GeminiEngine
        return GeminiEngine
    from .openai_compatible import OpenAICompatibleEngine
    return OpenAICompatibleEngine


def _selected() -> list[str]:
    """Names listed in AI_VISIBILITY_ENGINES (lower-cased, known ones, in order), or [] for all."""
    raw = settings.AI_VISIBILITY_ENGINES
    names = [n.strip().lower() for n in (raw.split(",") if isinstance(raw, str) else raw)]
    return list(dict.fromkeys(n for n in names if n))


def engine_statuses() -> list[EngineStatus]:
    """Every known engine with whether it is usable and, if not, why."""
    selected = _selected()
    statuses = []
    for spec in SPECS.values():
        config = engine_config(spec.name)
        if selected and spec.name not in selected:
            problem = "not listed in AI_VISIBILITY_ENGINES"
        elif config is None:
            problem = f"not configured: {spec.enable_hint}"
        else:
            problem = ""
        model = config.model if config else str(_setting(spec.model_setting) or "")
        statuses.append(EngineStatus(name=spec.name, label=spec.label, retrieval=spec.retrieval,
                                     enabled=not problem, model=model, problem=problem))
    return statuses


def configured_engines() -> list[AnswerEngine]:
    """The engines to ask, in AI_VISIBILITY_ENGINES order (else registry order); [] when none
    is configured (then show `not_configured_message()`)."""
    selected = _selected()
    unknown = [n for n in selected if n not in SPECS]
    if unknown:
        log.warning("visibility.engines.unknown", names=unknown, known=list(SPECS))
    order = [n for n in selected if n in SPECS] or list(SPECS)
    engines = []
    for name in order:
        config = engine_config(name)
        if config is None:
            if selected:
                log.warning("visibility.engines.not_configured", engine=name,
                            hint=SPECS[name].enable_hint)
            continue
        engines.append(_factory(name)(config))
    return engines


def get_engine(name: str) -> AnswerEngine:
    """The named engine, configured from settings; EngineNotConfigured (saying which variable to
    set) when it is unknown, not selected or has no credentials."""
    key = (name or "").strip().lower()
    spec = SPECS.get(key)
    if spec is None:
        raise EngineNotConfigured(f"Unknown answer engine {name!r}; known engines: "
                                  f"{', '.join(SPECS)}.")
    status = next(s for s in engine_statuses() if s.name == key)
    if not status.enabled:
        raise EngineNotConfigured(f"The {spec.label} engine is {status.problem}.")
    config = engine_config(key)
    assert config is not None  # enabled implies configured
    return _factory(key)(config)


def not_configured_message() -> str:
    """What to tell a user when no engine is configured: which variables enable which engine."""
    lines = ["No AI answer engine is configured, so AI visibility cannot be tracked yet. "
             "Enable at least one engine:"]
    lines += [f"- {spec.name} ({spec.label}): {spec.enable_hint}" for spec in SPECS.values()]
    selected = _selected()
    if selected:
        lines.append(f"AI_VISIBILITY_ENGINES is set to {','.join(selected)!r}: only those engines "
                     "are used (empty = every engine whose key is set); known names: "
                     f"{', '.join(SPECS)}.")
    return "\n".join(lines)
