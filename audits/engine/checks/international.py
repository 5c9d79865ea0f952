"""International: hreflang annotations on one page (language codes, URLs, self-reference)."""

from __future__ import annotations

import re
from typing import Any

from ..parse import resolved_canonical
from ..types import Severity
from .common import REF_HREFLANG, examples, html_facts
from .registry import PageContext, page_check

_ISO_639_1 = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz
ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln
lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi
pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti
tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
_ISO_3166_1 = """
ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs
bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee
eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm
hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc
li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na
nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw
sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn to
tr tt tv tw tz ua ug um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
"""
#: ISO 639-1 two-letter language codes.
ISO_639_1 = frozenset(_ISO_639_1.split())
#: ISO 3166-1 alpha-2 region codes (lower-cased).
ISO_3166_1 = frozenset(_ISO_3166_1.split())
# language, optional ISO 15924 script (zh-Hant), optional region (alpha-2 or UN M.49 digits)
_HREFLANG = re.compile(r"([a-z]{2})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?")


def hreflang_problem(value: str) -> str | None:
    """Why an hreflang value is invalid ("unknown language", ...), None when it is valid."""
    value = value.strip().lower()
    if value == "x-default":
        return None
    match = _HREFLANG.fullmatch(value)
    if match is None:
        return "not language[-region]"
    if match.group(1) not in ISO_639_1:
        return "unknown language"
    region = match.group(3)
    if region and not region.isdigit() and region not in ISO_3166_1:
        return "unknown region"
    return None


@page_check(
    "seo.hreflang.invalid_code", category="international", severity=Severity.WARNING,
    title="Invalid hreflang value",
    why="hreflang values must be an ISO 639-1 language, optionally followed by an ISO 3166-1 "
        "region (en-GB, not en-UK or en_GB), or x-default; invalid ones are ignored.",
    fix="Correct the language/region codes in the hreflang annotations.",
    reference=REF_HREFLANG)
def hreflang_invalid_code(page: PageContext) -> dict[str, Any] | None:
    """At least one hreflang annotation has an invalid language/region code."""
    facts = html_facts(page)
    if facts is None or not facts.hreflangs:
        return None
    bad = [{"hreflang": lang, "problem": problem} for lang, _ in facts.hreflangs
           if (problem := hreflang_problem(lang))]
    return {"count": len(bad), "examples": examples(bad)} if bad else None


@page_check(
    "seo.hreflang.invalid_url", category="international", severity=Severity.WARNING,
    title="hreflang URL is invalid",
    why="An hreflang alternate whose href is empty or not an http(s) URL cannot be followed, "
        "so that language version is left out of the cluster.",
    fix="Give every hreflang annotation the absolute URL of the alternate page.",
    reference=REF_HREFLANG)
def hreflang_invalid_url(page: PageContext) -> dict[str, Any] | None:
    """An hreflang annotation whose href did not resolve to an http(s) URL."""
    facts = html_facts(page)
    if facts is None:
        return None
    bad = [lang for lang, url in facts.hreflangs if not url]
    return {"count": len(bad), "hreflangs": examples(bad)} if bad else None


@page_check(
    "seo.hreflang.missing_self", category="international", severity=Severity.WARNING,
    title="hreflang annotations do not include the page itself",
    why="Each language version must list itself as well as the others; without the "
        "self-reference Google may ignore the page's annotations.",
    fix="Add an hreflang entry that points to this page's own URL.",
    reference=REF_HREFLANG)
def hreflang_missing_self(page: PageContext) -> dict[str, Any] | None:
    """An indexable page has hreflang annotations, none of them pointing to its own URL."""
    facts = html_facts(page)
    if facts is None or not facts.hreflangs or not page.indexable:
        return None
    own = {facts.url, resolved_canonical(facts)}
    if any(url in own for _, url in facts.hreflangs):
        return None
    return {"hreflangs": examples(f"{lang} {url}" for lang, url in facts.hreflangs)}
