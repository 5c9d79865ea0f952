"""Keyword research: suggestions from the site's own latest audit, from the SERP provider's
related searches, and from the LLM when ai.gateway is configured (research_llm.py). Each
suggestion names its source.

Site content: audits store each page's title, meta description and headings outline, not
the body text (PageFacts are compact by design), so n-grams are scored over those fields:
TF-IDF with fields weighted title 3, headings 2, description 1, summed over pages.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .models import TrackedSite
from .providers import ProviderNotConfigured, SerpError, SerpQuery, provider_from_settings, serp_fetch_many
from .research_llm import llm_ideas
from .selectors import site_latest_audit
from .stopwords import stop_words

_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
FIELD_WEIGHTS = {"title": 3.0, "headings": 2.0, "description": 1.0}


@dataclass(frozen=True, slots=True)
class Suggestion:
    phrase: str
    source: str  # "site_content" | "serp_related" | "llm"
    score: float
    detail: str = ""
    #: The search intent the LLM gave ("informational", ...); empty for the other sources.
    intent: str = ""


def ngrams(text: str, *, stop: frozenset[str], max_n: int = 3) -> list[str]:
    """1..max_n-grams of lower-case words that neither start nor end with a stop word and
    contain no number-only word."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    grams = []
    for n in range(1, max_n + 1):
        for i in range(len(words) - n + 1):
            gram = words[i:i + n]
            if gram[0] in stop or gram[-1] in stop or any(w.isdigit() or len(w) < 2 for w in gram):
                continue
            grams.append(" ".join(gram))
    return grams


def tfidf_phrases(documents: list[dict[str, str]], *, language: str = "en", limit: int = 50
                  ) -> list[tuple[str, float]]:
    """Rank n-grams over documents ({field: text}) by summed TF-IDF, fields weighted by
    FIELD_WEIGHTS. idf = ln((1 + N) / df): a phrase on every page (navigation, brand
    boilerplate) keeps only ln(1 + 1/N), yet a one-page site still ranks by term frequency."""
    stop = stop_words(language)
    counts: list[Counter[str]] = []
    df: Counter[str] = Counter()
    for doc in documents:
        tf: Counter[str] = Counter()
        for name, weight in FIELD_WEIGHTS.items():
            for gram in ngrams(doc.get(name, ""), stop=stop):
                tf[gram] += weight
        counts.append(tf)
        df.update(tf.keys())
    n = len(documents)
    scores: Counter[str] = Counter()
    for tf in counts:
        total = sum(tf.values()) or 1.0
        for gram, value in tf.items():
            idf = math.log((1 + n) / df[gram])
            # Longer phrases are rarer and more specific; a mild bonus keeps them visible.
            scores[gram] += (value / total) * idf * (1 + 0.25 * gram.count(" "))
    return [(gram, round(score, 4)) for gram, score in scores.most_common(limit)]


def _documents(site: TrackedSite) -> tuple[list[dict[str, str]], str, Any]:
    audit = site_latest_audit(site=site)
    if audit is None:
        return [], "en", None
    docs, langs = [], Counter()
    pages = audit.pages.filter(status=200).values_list("title", "description", "facts")
    for title, description, facts in pages.iterator(chunk_size=500):
        facts = facts or {}
        headings = " . ".join(str(h[1]) for h in facts.get("headings", []) if len(h) > 1)
        docs.append({"title": title or "", "description": description or "", "headings": headings})
        if facts.get("lang"):
            langs[str(facts["lang"]).split("-")[0].lower()] += 1
    language = langs.most_common(1)[0][0] if langs else "en"
    return docs, language, audit


def research_suggestions(*, site: TrackedSite, seeds: list[str] | None = None, limit: int = 30,
                         use_serp: bool = True) -> dict[str, Any]:
    """Suggestions with their source, and a note per source that was not available."""
    notes: dict[str, str] = {}
    suggestions: list[Suggestion] = []
    docs, language, audit = _documents(site)
    if audit is None:
        notes["site_content"] = "no completed audit of this site yet"
    else:
        for phrase, score in tfidf_phrases(docs, language=language, limit=limit):
            suggestions.append(Suggestion(phrase, "site_content", score,
                                          f"audit {audit.pk}, {len(docs)} pages, language {language}"))
    if use_serp:
        seeds = seeds or [s.phrase for s in suggestions[:3]] or list(
            site.keywords.values_list("phrase", flat=True)[:3])
        suggestions += _serp_related(seeds, notes)
    suggestions += _llm(site, language, docs, suggestions, seeds or [], limit, notes)
    seen: set[tuple[str, str]] = set()
    unique = []
    for s in suggestions:
        if (s.phrase, s.source) not in seen:
            seen.add((s.phrase, s.source))
            unique.append({"phrase": s.phrase, "source": s.source, "score": s.score,
                           "detail": s.detail, "intent": s.intent})
    return {"site_id": site.pk, "language": language, "suggestions": unique, "notes": notes}


def _serp_related(seeds: list[str], notes: dict[str, str]) -> list[Suggestion]:
    if not seeds:
        notes["serp_related"] = "no seed phrase (no audit content and no keywords)"
        return []
    try:
        provider = provider_from_settings()
    except ProviderNotConfigured as exc:
        notes["serp_related"] = str(exc)
        return []
    serps = serp_fetch_many(provider, [SerpQuery(phrase=s) for s in seeds], depth=provider.page_size,
                            concurrency=settings.SERP_CONCURRENCY)
    out = []
    for seed, serp in zip(seeds, serps, strict=True):
        if isinstance(serp, SerpError):
            notes["serp_related"] = str(serp)
            continue
        for rank, phrase in enumerate(serp.related):
            out.append(Suggestion(phrase.lower(), "serp_related", round(1.0 / (rank + 1), 4),
                                  f"{provider.name}: related to {seed!r}"))
    return out


def _llm(site: TrackedSite, language: str, docs: list[dict[str, str]], found: list[Suggestion],
         seeds: list[str], limit: int, notes: dict[str, str]) -> list[Suggestion]:
    """The LLM's ideas, none of which repeats (case-insensitively) another source's phrase."""
    outcome = llm_ideas(host=site.host, language=language,
                        phrases=[s.phrase for s in found if s.source == "site_content"],
                        pages=docs, seeds=seeds, limit=limit,
                        exclude={s.phrase.casefold() for s in found})
    if outcome.note:
        notes["llm"] = outcome.note
    return [Suggestion(idea.phrase, "llm", round(1.0 / (idea.rank + 1), 4), outcome.detail,
                       idea.intent) for idea in outcome.ideas]
