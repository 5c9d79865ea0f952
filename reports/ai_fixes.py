"""The "AI-generated fixes" section of reports and progress pages, read from `ai.AIContent`.

One query: the newest *done* row per page and kind of the audit (a window function), capped.
The output was validated when it was stored, but it derives from crawled, untrusted page text
and is JSON written by another component: every field is read defensively and turned into
plain strings here, and the templates escape them (autoescape; the Markdown renderer escapes
its own way). Rows from the deterministic offline generators are labelled "offline draft".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from ai.models import AIContent
from audits.models import Audit

#: Kinds in the order a reader acts on them (page copy first, site-wide drafts last).
KIND_ORDER = ("title_meta", "alt_text", "faq", "json_ld", "geo_brief", "llms_txt")
#: Fixes listed in a report (the JSON export has them all).
MAX_FIXES = 40
#: Items listed per fix (alt texts, FAQ entries, brief suggestions).
MAX_ITEMS = 10
#: Longest JSON-LD or llms.txt text printed (the JSON export has it whole).
MAX_TEXT_CHARS = 4000
#: Longest single line of text (a question, an alt text, a suggestion).
MAX_LINE_CHARS = 800
#: Parts of a GEO brief, in reading order.
BRIEF_PARTS = ("statistics", "quotations", "sources", "structure")


@dataclass(frozen=True, slots=True)
class AIFix:
    """One generated fix, flattened to display strings."""

    id: str
    kind: str
    kind_label: str
    page_url: str
    #: "offline draft" or "<provider> · <model>", in the active language.
    origin: str
    offline: bool
    created_at: datetime
    title: str = ""
    meta_description: str = ""
    #: (image src, proposed alt text)
    images: tuple[tuple[str, str], ...] = ()
    #: (question, answer)
    faq: tuple[tuple[str, str], ...] = ()
    schema_type: str = ""
    #: Pretty-printed JSON-LD or the llms.txt draft.
    text: str = ""
    summary: str = ""
    answer_first: str = ""
    #: (translated part label, suggestions)
    brief: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Citability finding codes a GEO brief answers.
    findings: tuple[str, ...] = ()
    #: Something was cut to fit the report (more items or a longer text).
    truncated: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to show (a done row whose output is missing or malformed)."""
        return not (self.title or self.meta_description or self.images or self.faq or self.text
                    or self.summary or self.answer_first or self.brief)


@dataclass(frozen=True, slots=True)
class AIFixesSection:
    fixes: tuple[AIFix, ...]
    #: More fixes exist than the report lists.
    truncated: bool
    offline_count: int


def _kind_rank() -> Case:
    return Case(*(When(kind=kind, then=Value(index)) for index, kind in enumerate(KIND_ORDER)),
                default=Value(len(KIND_ORDER)), output_field=IntegerField())


def latest_fixes(*, audit: Audit) -> QuerySet[AIContent]:
    """The audit's newest done content per page and kind, page copy first."""
    return (AIContent.objects.filter(audit=audit, status=AIContent.Status.DONE)
            .annotate(rank=Window(RowNumber(), partition_by=[F("page_url"), F("kind")],
                                  order_by=[F("created_at").desc(), F("id").desc()]),
                      kind_rank=_kind_rank())
            .filter(rank=1).order_by("kind_rank", "page_url", "id"))


def ai_fixes_section(*, audit: Audit, max_fixes: int = MAX_FIXES) -> AIFixesSection | None:
    """The audit's AI-generated fixes for a report, or None when there are none. One query."""
    rows = list(latest_fixes(audit=audit).only(
        "id", "kind", "page_url", "output", "provider", "model", "offline", "created_at",
        "input")[:max_fixes + 1])
    if not rows:
        return None
    fixes = tuple(fix for fix in map(ai_fix, rows[:max_fixes]) if not fix.empty)
    if not fixes:
        return None
    return AIFixesSection(fixes=fixes, truncated=len(rows) > max_fixes,
                          offline_count=sum(1 for fix in fixes if fix.offline))


def ai_fixes_count(*, audit: Audit) -> int:
    """How many fixes `ai_fixes_section` would list without a cap (one query)."""
    return latest_fixes(audit=audit).count()


def origin_label(*, offline: bool, provider: str, model: str) -> str:
    if offline:
        return _("offline draft (no AI provider configured)")
    return " · ".join(part for part in (provider, model) if part) or _("AI provider")


def kind_label(kind: str) -> str:
    labels = {"title_meta": _("Title and meta description"), "alt_text": _("Image alt texts"),
              "faq": _("FAQ section"), "json_ld": _("JSON-LD draft"),
              "llms_txt": _("llms.txt draft"), "geo_brief": _("GEO content brief")}
    return labels.get(kind, kind)


def ai_fix(row: AIContent) -> AIFix:
    """Flatten one row's output into display strings (malformed parts are left out)."""
    output = row.output if isinstance(row.output, dict) else {}
    base: dict[str, Any] = {
        "id": str(row.pk), "kind": row.kind, "kind_label": kind_label(row.kind),
        "page_url": row.page_url,
        "origin": origin_label(offline=row.offline, provider=row.provider, model=row.model),
        "offline": row.offline, "created_at": row.created_at}
    if row.kind == "title_meta":
        return AIFix(**base, title=_line(output.get("title")),
                     meta_description=_line(output.get("meta_description")))
    if row.kind == "alt_text":
        images = [(_line(item.get("src")), _line(item.get("alt")))
                  for item in _dicts(output.get("images"))]
        return AIFix(**base, images=tuple(images[:MAX_ITEMS]), truncated=len(images) > MAX_ITEMS)
    if row.kind == "faq":
        faq = [(_line(item.get("question")), _line(item.get("answer")))
               for item in _dicts(output.get("faq"))]
        return AIFix(**base, faq=tuple(faq[:MAX_ITEMS]), truncated=len(faq) > MAX_ITEMS)
    if row.kind == "json_ld":
        text, cut = _cut(_pretty_json(output.get("json_ld")))
        schema_type = output.get("schema_type") or (row.input or {}).get("schema_type")
        return AIFix(**base, schema_type=_line(schema_type), text=text, truncated=cut)
    if row.kind == "llms_txt":
        text, cut = _cut(output.get("llms_txt") if isinstance(output.get("llms_txt"), str) else "")
        return AIFix(**base, text=text, truncated=cut)
    if row.kind == "geo_brief":
        labels = {"statistics": _("Statistics"), "quotations": _("Quotations"),
                  "sources": _("Sources"), "structure": _("Structure")}
        parts, cut = [], False
        for key in BRIEF_PARTS:
            items = [_line(item) for item in output.get(key) or () if isinstance(item, str)] \
                if isinstance(output.get(key), list) else []
            cut = cut or len(items) > MAX_ITEMS
            if items:
                parts.append((labels[key], tuple(items[:MAX_ITEMS])))
        findings = output.get("findings") if isinstance(output.get("findings"), list) else []
        return AIFix(**base, summary=_line(output.get("summary")),
                     answer_first=_line(output.get("answer_first")), brief=tuple(parts),
                     findings=tuple(_line(code) for code in findings[:MAX_ITEMS]),
                     truncated=cut)
    return AIFix(**base, text=_cut(_pretty_json(output))[0])


def _line(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS - 1] + "…"


def _cut(text: str) -> tuple[str, bool]:
    return (text, False) if len(text) <= MAX_TEXT_CHARS else (text[:MAX_TEXT_CHARS], True)


def _pretty_json(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if value in (None, "", {}):
        return ""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _dicts(raw: Any) -> list[dict[str, Any]]:
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def ai_fixes_json(*, audit: Audit) -> Iterator[dict[str, Any]]:
    """Every latest done fix of the audit as JSON-ready dicts (the export's `ai_content`
    list), with the validated output whole."""
    rows = latest_fixes(audit=audit).only(
        "id", "kind", "page_url", "output", "provider", "model", "offline", "cached",
        "created_at")
    for row in rows.iterator(chunk_size=500):
        yield {"id": str(row.pk), "kind": row.kind, "page_url": row.page_url,
               "provider": row.provider, "model": row.model, "offline": row.offline,
               "created_at": row.created_at, "output": row.output}
