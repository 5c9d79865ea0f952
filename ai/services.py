"""Writes for AI content: record a request, run one generation (online or offline)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.models import Audit, Page

from . import gateway
from .exceptions import AIContentError
from .generators import GENERATORS, JSON_LD_TYPES, InvalidOutput, PageContext
from .generators.base import parse_json
from .models import AIContent
from .page_source import page_context

log = structlog.get_logger(__name__)

#: A row "running" for longer than this was left by a dead worker and may be claimed again.
STALE_RUNNING = timedelta(minutes=15)
#: Kinds that describe the whole site and need no page.
SITE_KINDS = {AIContent.Kind.LLMS_TXT}


def ai_content_request(*, user: Any, audit_id: str, kind: str, page_id: int | None = None,
                       page_url: str = "", options: dict[str, Any] | None = None) -> AIContent:
    """Record a generation request for one of the user's audits and enqueue it on commit.
    Audit.DoesNotExist / Page.DoesNotExist for anything that is not the user's (-> 404)."""
    options = dict(options or {})
    if kind not in GENERATORS:
        raise AIContentError("unknown_kind", f"Unknown kind {kind!r}.")
    if kind == AIContent.Kind.JSON_LD and options.setdefault("schema_type", "Article") \
            not in JSON_LD_TYPES:
        raise AIContentError("unknown_schema_type",
                             f"schema_type must be one of {', '.join(JSON_LD_TYPES)}.")
    audit = Audit.objects.get(pk=audit_id, owner=user)
    page = None
    if page_id is not None:
        page = Page.objects.get(pk=page_id, audit=audit)
    elif page_url:
        page = Page.objects.filter(audit=audit, url=page_url).first()
        if page is None:
            raise Page.DoesNotExist(page_url)
    elif kind not in SITE_KINDS:
        page = Page.objects.filter(audit=audit, status=200).order_by("depth", "id").first()
        if page is None:
            raise AIContentError("no_page", "The audit has no page to generate content for.")
    content = AIContent.objects.create(
        kind=kind, audit=audit, page=page, page_url=page.url if page else audit.normalized_url,
        input={"options": options}, created_by=user)
    from .tasks import generate_content

    transaction.on_commit(lambda: generate_content.delay(str(content.pk)))
    log.info("ai.content.requested", content_id=str(content.pk), kind=kind)
    return content


def _claim(content_id: str) -> bool:
    stale = timezone.now() - STALE_RUNNING
    return AIContent.objects.filter(
        Q(status=AIContent.Status.PENDING) | Q(status=AIContent.Status.RUNNING, updated_at__lt=stale),
        pk=content_id).update(status=AIContent.Status.RUNNING, updated_at=timezone.now()) == 1


def _generate_online(content: AIContent, ctx: PageContext, options: dict[str, Any]
                     ) -> dict[str, Any]:
    """Ask the model; an answer that fails validation is retried once with the reason, then
    the row fails. Token, cost and latency figures add up over both attempts."""
    generator = GENERATORS[content.kind]
    messages = generator.messages(ctx, options)
    last_error = ""
    for attempt in (1, 2):
        result = gateway.chat(messages=messages, max_tokens=generator.max_tokens, json_mode=True)
        content.attempts = attempt
        content.model, content.provider = result.model, result.provider
        content.cached = result.cached
        content.tokens_in += result.tokens_in
        content.tokens_out += result.tokens_out
        content.cost += result.cost
        content.latency_ms += result.latency_ms
        try:
            return generator.validate(parse_json(result.text), ctx, options)
        except InvalidOutput as exc:
            gateway.forget(result)
            last_error = str(exc)
            log.info("ai.content.rejected", content_id=str(content.pk), attempt=attempt,
                     reason=last_error)
            messages = [*messages, {"role": "assistant", "content": result.text[:4000]},
                        {"role": "user", "content": f"That answer was rejected: {last_error}. "
                                                    "Answer again, following the task exactly."}]
    raise InvalidOutput(f"rejected after 2 attempts: {last_error}")


def ai_content_generate(*, content_id: str) -> AIContent:
    """Run one generation. Idempotent: a row that is done, failed or live elsewhere is left
    alone. Without a configured provider the deterministic offline generator answers."""
    if not _claim(content_id):
        return AIContent.objects.get(pk=content_id)
    content = AIContent.objects.select_related("audit", "page").get(pk=content_id)
    options = (content.input or {}).get("options", {})
    content.tokens_in = content.tokens_out = content.latency_ms = 0
    content.cost = 0
    try:
        ctx = page_context(audit=content.audit, page=content.page, page_url=content.page_url)
        content.input = {"options": options, "page": {
            "url": ctx.url, "title": ctx.title, "description": ctx.description,
            "h1": list(ctx.h1), "text_chars": len(ctx.text), "images": len(ctx.images),
            "findings": list(ctx.findings)}}
        if gateway.configured():
            content.offline = False
            content.output = _generate_online(content, ctx, options)
        else:
            content.offline, content.provider, content.model = True, "offline", "offline"
            content.attempts = 1
            content.output = GENERATORS[content.kind].offline(ctx, options)
        content.status, content.error = AIContent.Status.DONE, ""
    except (InvalidOutput, gateway.GatewayError) as exc:
        content.output = {}
        content.status = AIContent.Status.FAILED
        content.error = (f"{exc.code}: {exc.message}" if isinstance(exc, gateway.GatewayError)
                         else f"invalid_output: {exc}")[:2000]
    content.finished_at = timezone.now()
    content.save()
    log.info("ai.content.finished", content_id=str(content.pk), status=content.status,
             offline=content.offline, tokens_in=content.tokens_in, tokens_out=content.tokens_out)
    return content
