"""Structured drafts: JSON-LD (validated by our own schema.org checks), llms.txt, GEO brief."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from audits.engine import schema_org

from .base import (
    InvalidOutput,
    PageContext,
    clean_sentences,
    expect_keys,
    framed,
    plain_text,
    safe_extract,
    text_list,
    trim_words,
)
from .copy import Faq

JSON_LD_TYPES = ("Article", "Organization", "FAQPage", "Product")
#: Top-level properties a draft may use, per type (more is noise or a hallucination risk).
JSON_LD_KEYS: dict[str, set[str]] = {
    "Article": {"headline", "description", "author", "datePublished", "dateModified", "image",
                "mainEntityOfPage", "publisher", "url", "inLanguage"},
    "Organization": {"name", "url", "logo", "description", "sameAs", "email", "telephone",
                     "address", "contactPoint"},
    "FAQPage": {"mainEntity", "url", "name"},
    "Product": {"name", "description", "image", "brand", "sku", "offers", "aggregateRating",
                "review", "url"},
}
_PRICE = re.compile(r"(?:(?P<cur>[$€£])\s?(?P<a>\d{1,6}(?:[.,]\d{2})?))|"
                    r"(?:(?P<b>\d{1,6}(?:[.,]\d{2})?)\s?(?P<code>EUR|USD|GBP|€))")
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP", "EUR": "EUR", "USD": "USD", "GBP": "GBP"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _urls_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [u for v in value.values() for u in _urls_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in _urls_in(v)]
    return [value] if isinstance(value, str) and re.match(r"https?://", value) else []


def check_json_ld(entity: Any, *, of: str, page_url: str) -> dict[str, Any]:
    """A JSON-LD draft as our structured-data checks judge it: the requested type, known keys,
    Google's required properties present, schema.org value types right, links to the site only."""
    if not isinstance(entity, dict):
        raise InvalidOutput("the JSON-LD draft is not an object")
    if entity.get("@context") not in ("https://schema.org", "http://schema.org",
                                      "https://schema.org/"):
        raise InvalidOutput("@context must be https://schema.org")
    if entity.get("@type") != of:
        raise InvalidOutput(f"@type must be {of}")
    extra = set(entity) - JSON_LD_KEYS[of] - {"@context", "@type", "@id"}
    if extra:
        raise InvalidOutput(f"unexpected properties: {', '.join(sorted(extra))}")
    missing = (schema_org.missing_required(entity, with_minimum=True)
               + schema_org.nested_required(entity))
    if missing:
        raise InvalidOutput(f"required properties missing: {', '.join(missing)}")
    problems = schema_org.value_problems(entity)
    if problems:
        first = problems[0]
        raise InvalidOutput(f"{first.path}: {first.problem}")
    body = {key: value for key, value in entity.items() if key != "@context"}
    foreign = [u for u in _urls_in(body) if _origin(u) != _origin(page_url)]
    if foreign and of != "Organization":  # sameAs legitimately points at social profiles
        raise InvalidOutput("the draft links to another site")
    for value in _strings(entity):
        plain_text(value, name="a JSON-LD value", max_len=2000, allow_urls=True)
    json.dumps(entity)  # must round-trip
    return entity


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) and value else []


class JsonLd:
    """A JSON-LD draft (Article, Organization, FAQPage or Product) for one page."""

    kind = "json_ld"
    max_tokens = 1500

    @staticmethod
    def schema_type(options: dict[str, Any]) -> str:
        return options.get("schema_type") or "Article"

    def messages(self, ctx: PageContext, options: dict[str, Any]) -> list[dict[str, str]]:
        of = self.schema_type(options)
        return framed(ctx, (
            f"Draft schema.org JSON-LD of @type {of} for this page, using only facts stated on "
            f"the page (omit what the page does not say). Allowed properties: "
            f"{', '.join(sorted(JSON_LD_KEYS[of]))}. Use \"@context\": \"https://schema.org\" "
            f"and absolute URLs on {_origin(ctx.url)} only. Answer as {{\"json_ld\": {{...}}}}."))

    def validate(self, data: Any, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        entity = expect_keys(data, {"json_ld"})["json_ld"]
        of = self.schema_type(options)
        return {"schema_type": of, "json_ld": check_json_ld(entity, of=of, page_url=ctx.url)}

    def offline(self, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        of = self.schema_type(options)
        name = safe_extract(ctx.h1[0] if ctx.h1 else ctx.title) or ctx.site_name
        description = safe_extract(ctx.description) or " ".join(clean_sentences(ctx.text)[:2])
        entity: dict[str, Any] = {"@context": "https://schema.org", "@type": of}
        if of == "Article":
            entity.update(headline=trim_words(name, 110), url=ctx.url)
        elif of == "Organization":
            entity.update(name=ctx.site_name or name, url=_origin(ctx.url) + "/")
        elif of == "FAQPage":
            faq = Faq().offline(ctx, options)["faq"]
            if not faq:
                raise InvalidOutput("the page has no headings with answers to build a FAQ from")
            entity["mainEntity"] = [{"@type": "Question", "name": item["question"],
                                     "acceptedAnswer": {"@type": "Answer", "text": item["answer"]}}
                                    for item in faq]
        else:
            match = _PRICE.search(ctx.text)
            if not match:
                raise InvalidOutput("no price on the page: a Product draft needs offers, review or "
                                    "aggregateRating")
            price = (match.group("a") or match.group("b")).replace(",", ".")
            entity.update(name=name, url=ctx.url, offers={
                "@type": "Offer", "price": price, "url": ctx.url,
                "priceCurrency": _CURRENCY[match.group("cur") or match.group("code")]})
        if description and of != "FAQPage":
            entity["description"] = trim_words(description, 300)
        return {"schema_type": of, "json_ld": check_json_ld(entity, of=of, page_url=ctx.url)}


class LlmsTxt:
    """An llms.txt draft for the audited site (llmstxt.org format)."""

    kind = "llms_txt"
    max_tokens = 2000

    def messages(self, ctx: PageContext, options: dict[str, Any]) -> list[dict[str, str]]:
        listing = "\n".join(f"- {url} | {title} | {desc[:160]}" for url, title, desc in ctx.pages[:60])
        return framed(ctx, (
            "Write an llms.txt file (llmstxt.org) for this site: '# <site name>', a '> ' one-line "
            "summary, then '## ' sections of '- [title](url): note' lines using only these "
            f"pages:\n{listing}\nAnswer as {{\"llms_txt\": \"...\"}}."))

    def validate(self, data: Any, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        text = expect_keys(data, {"llms_txt"})["llms_txt"]
        if not isinstance(text, str) or not 20 <= len(text) <= 20000:
            raise InvalidOutput("llms_txt must be 20-20000 characters")
        lines = [line.rstrip() for line in text.strip().splitlines()]
        if not lines[0].startswith("# ") or not any(line.startswith("> ") for line in lines):
            raise InvalidOutput("llms.txt must start with '# name' and have a '> ' summary")
        known = {url for url, _, _ in ctx.pages} | {ctx.url}
        for url in re.findall(r"\]\((\S+?)\)", text):
            if url not in known:
                raise InvalidOutput("llms.txt links to a page the audit did not crawl")
        for line in lines:
            plain_text(re.sub(r"\]\(\S+?\)", "]", line) or "-", site=ctx.url, name="llms.txt line",
                       max_len=1000)
        return {"llms_txt": "\n".join(lines) + "\n"}

    def offline(self, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        if ctx.llms_txt_proposal:
            return {"llms_txt": ctx.llms_txt_proposal}
        name = ctx.site_name or urlsplit(ctx.url).hostname or ctx.url
        lines = [f"# {name}", "", f"> {trim_words(safe_extract(ctx.description) or name, 200)}",
                 "", "## Pages", ""]
        for url, title, desc in ctx.pages[:60]:
            note = f": {trim_words(safe_extract(desc), 160)}" if safe_extract(desc) else ""
            lines.append(f"- [{trim_words(safe_extract(title) or url, 100)}]({url}){note}")
        return {"llms_txt": "\n".join(lines) + "\n"}


#: Citability finding -> the part of the brief it asks for.
_BRIEF_FROM_FINDINGS = {
    "seo.geo.no_statistics": ("statistics", "Add concrete figures (counts, percentages, dates) "
                              "with their source and year next to the claims they support."),
    "seo.geo.no_quotations": ("quotations", "Quote a named expert or customer, attributed by "
                              "name and role."),
    "seo.geo.no_citations": ("sources", "Cite primary sources (studies, standards, official "
                             "documentation) with links where the claims are made."),
    "seo.geo.no_answer_first": ("answer_first", ""),
    "seo.geo.wall_of_text": ("structure", "Break long passages into short sections under "
                             "question-style headings, with lists or a table for comparisons."),
}
BRIEF_KEYS = {"summary", "answer_first", "statistics", "quotations", "sources", "structure"}


class GeoBrief:
    """A GEO content brief: what would make the page more citable by AI answer engines."""

    kind = "geo_brief"
    max_tokens = 1500

    def messages(self, ctx: PageContext, options: dict[str, Any]) -> list[dict[str, str]]:
        gaps = ", ".join(code for code in ctx.findings if code in _BRIEF_FROM_FINDINGS) or "none"
        return framed(ctx, (
            "Write a content brief that would raise this page's citability in AI answers. "
            f"Our audit found these citability gaps: {gaps}. Answer as JSON with keys: summary "
            "(one sentence), answer_first (a 40-80 word answer-first opening paragraph based on the "
            "page), statistics, quotations, sources, structure (each a list of 1-5 concrete "
            "suggestions, no URLs)."))

    def validate(self, data: Any, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        data = expect_keys(data, BRIEF_KEYS)
        out: dict[str, Any] = {
            "summary": plain_text(data["summary"], site=ctx.url, name="summary", min_len=10, max_len=300),
            "answer_first": plain_text(data["answer_first"], site=ctx.url, name="answer_first", min_len=40,
                                       max_len=800)}
        for key in ("statistics", "quotations", "sources", "structure"):
            out[key] = text_list(data[key], name=key, min_items=1, max_items=5, max_len=300,
                                 site=ctx.url)
        out["findings"] = [c for c in ctx.findings if c in _BRIEF_FROM_FINDINGS]
        return out

    def offline(self, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        topic = safe_extract(ctx.h1[0] if ctx.h1 else ctx.title) or ctx.url
        found = [c for c in ctx.findings if c in _BRIEF_FROM_FINDINGS]
        out: dict[str, Any] = {key: [] for key in ("statistics", "quotations", "sources",
                                                   "structure")}
        for code in found:
            key, advice = _BRIEF_FROM_FINDINGS[code]
            if advice:
                out[key].append(advice)
        opening = " ".join(clean_sentences(ctx.text)[:2])
        out["answer_first"] = trim_words(opening or f"{topic}: state the answer in the first "
                                         "sentence, then the details.", 800)
        gaps = len(found)
        out["summary"] = (f"{topic}: {gaps} citability gap{'s' if gaps != 1 else ''} found; "
                          "start with a direct answer and back claims with sources.")
        out["findings"] = found
        return out
