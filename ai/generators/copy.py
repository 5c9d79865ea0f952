"""Plain-copy generators: title + meta description, image alt texts, FAQ sections."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from audits.engine.checks.on_page import DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS

from .base import (
    InvalidOutput,
    PageContext,
    clean_sentences,
    expect_keys,
    framed,
    one_line,
    plain_text,
    safe_extract,
    trim_words,
)

TITLE_MIN = 15
DESCRIPTION_MIN = 50
ALT_MAX = 125
FAQ_MIN, FAQ_MAX = 3, 8


class TitleMeta:
    """A title (<= 60 characters) and meta description (50-160) for one page."""

    kind = "title_meta"
    max_tokens = 300

    def messages(self, ctx: PageContext, options: dict[str, Any]) -> list[dict[str, str]]:
        return framed(ctx, (
            f"Write an SEO title of at most {TITLE_MAX_CHARS} characters and a meta description "
            f"of {DESCRIPTION_MIN}-{DESCRIPTION_MAX_CHARS} characters for this page, in the "
            "page's language, describing what it offers. No URLs. Answer as "
            '{"title": "...", "meta_description": "..."}.'))

    def validate(self, data: Any, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        data = expect_keys(data, {"title", "meta_description"})
        return {"title": plain_text(data["title"], site=ctx.url, name="title", min_len=TITLE_MIN,
                                    max_len=TITLE_MAX_CHARS),
                "meta_description": plain_text(data["meta_description"], site=ctx.url,
                                               name="meta_description",
                                               min_len=DESCRIPTION_MIN,
                                               max_len=DESCRIPTION_MAX_CHARS)}

    def offline(self, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        topic = safe_extract(ctx.h1[0] if ctx.h1 else ctx.title) or ctx.site_name or ctx.url
        title = trim_words(topic, TITLE_MAX_CHARS)
        if ctx.site_name and ctx.site_name.lower() not in title.lower() \
                and len(title) + len(ctx.site_name) + 3 <= TITLE_MAX_CHARS:
            title = f"{title} | {ctx.site_name}"
        summary = ""
        for sentence in clean_sentences(ctx.text):
            if len(summary) + len(sentence) + 1 > DESCRIPTION_MAX_CHARS:
                break
            summary = f"{summary} {sentence}".strip()
        if len(summary) < DESCRIPTION_MIN:
            summary = trim_words(" ".join(clean_sentences(ctx.text)) or safe_extract(ctx.description)
                                 or f"{topic}: an overview.", DESCRIPTION_MAX_CHARS)
        return {"title": title, "meta_description": summary}


def _filename_words(src: str) -> str:
    stem = PurePosixPath(unquote(urlsplit(src).path)).stem
    words = [w for w in re.split(r"[-_.\s]+", stem) if w and not w.isdigit()
             and not re.fullmatch(r"(?:img|image|dsc|photo|pic)\d*|[0-9a-f]{8,}", w, re.I)]
    return " ".join(words)


class AltText:
    """Alt texts (<= 125 characters) for the page's images that lack one."""

    kind = "alt_text"
    max_tokens = 800

    @staticmethod
    def targets(ctx: PageContext) -> list[Any]:
        return [img for img in ctx.images if not (img.alt or "").strip()][:20]

    def messages(self, ctx: PageContext, options: dict[str, Any]) -> list[dict[str, str]]:
        listing = "\n".join(f"- src: {img.src} | context: {one_line(img.context)[:200]}"
                            for img in self.targets(ctx))
        return framed(ctx, (
            f"Write a concise alt text (at most {ALT_MAX} characters, no 'image of') for each "
            "image below, from its file name and context. Keep each src exactly as given.\n"
            f"{listing}\nAnswer as {{\"images\": [{{\"src\": \"...\", \"alt\": \"...\"}}]}}."))

    def validate(self, data: Any, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        items = expect_keys(data, {"images"})["images"]
        wanted = {img.src for img in self.targets(ctx)}
        if not isinstance(items, list) or not items:
            raise InvalidOutput("images must be a non-empty list")
        out = []
        for item in items:
            item = expect_keys(item, {"src", "alt"})
            if item["src"] not in wanted:
                raise InvalidOutput("an alt text names an image that is not on the page")
            alt = plain_text(item["alt"], site=ctx.url, name="alt", min_len=3, max_len=ALT_MAX)
            if re.match(r"(?:image|picture|photo) of\b", alt, re.I):
                alt = alt.split(" of ", 1)[1].strip().capitalize()
            out.append({"src": item["src"], "alt": alt})
        return {"images": out}

    def offline(self, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        out = []
        for img in self.targets(ctx):
            words = _filename_words(img.src)
            context = safe_extract(img.context)
            alt = words.capitalize() if words else ""
            if context and context.lower() != words.lower():
                alt = f"{alt} – {context}" if alt else context
            out.append({"src": img.src, "alt": trim_words(alt or (ctx.h1[0] if ctx.h1 else
                                                                  ctx.title), ALT_MAX)})
        return {"images": out}


class Faq:
    """A FAQ section (3-8 questions with answers) grounded in the page text."""

    kind = "faq"
    max_tokens = 1500

    def messages(self, ctx: PageContext, options: dict[str, Any]) -> list[dict[str, str]]:
        return framed(ctx, (
            f"Write {FAQ_MIN}-{FAQ_MAX} frequently asked questions a reader of this page would "
            "ask, each answered in 1-3 sentences using only facts from the page (answer first, "
            "no URLs). Answer as {\"faq\": [{\"question\": \"...?\", \"answer\": \"...\"}]}."))

    def validate(self, data: Any, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        items = expect_keys(data, {"faq"})["faq"]
        if not isinstance(items, list) or not FAQ_MIN <= len(items) <= FAQ_MAX:
            raise InvalidOutput(f"faq must hold {FAQ_MIN}-{FAQ_MAX} items")
        out = []
        for item in items:
            item = expect_keys(item, {"question", "answer"})
            question = plain_text(item["question"], site=ctx.url, name="question", min_len=8,
                                  max_len=150)
            if not question.endswith("?"):
                raise InvalidOutput("a question does not end with '?'")
            out.append({"question": question,
                        "answer": plain_text(item["answer"], site=ctx.url, name="answer", min_len=20,
                                             max_len=600)})
        return {"faq": out}

    def offline(self, ctx: PageContext, options: dict[str, Any]) -> dict[str, Any]:
        # Headings are in the text as lines of their own: a question is not its own answer.
        pool = [s for s in clean_sentences(ctx.text) if not s.endswith("?")]
        topics = [safe_extract(h) for level, h in ctx.headings if level >= 2] or list(ctx.h1)
        out: list[dict[str, str]] = []
        used: set[str] = set()
        for topic in topics:
            if not topic or len(out) >= FAQ_MAX:
                continue
            words = {w for w in re.findall(r"\w{4,}", topic.lower())}
            best = max((s for s in pool if s not in used),
                       key=lambda s: len(words & set(re.findall(r"\w{4,}", s.lower()))),
                       default="")
            if not best or not words & set(re.findall(r"\w{4,}", best.lower())):
                continue
            used.add(best)
            question = topic if topic.endswith("?") else f"What about {topic.rstrip('.:')}?"
            out.append({"question": trim_words(question, 150), "answer": trim_words(best, 600)})
        return {"faq": out}
