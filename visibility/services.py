"""AI visibility writes: brand settings, tracked prompts (CRUD and CSV import).

Running prompts on engines, budgets and change events are in visibility/tracking.py and
visibility/budget.py.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.db import IntegrityError, transaction

from keywords.csvimport import CSV_MAX_ROWS, csv_header, csv_lines
from keywords.models import TrackedSite

from .analysis import domain_normalize
from .exceptions import InvalidPrompt
from .models import TrackedPrompt, VisibilityBrand

log = structlog.get_logger(__name__)

CSV_COLUMNS = ("question", "language", "country", "tags", "competitors", "active")
MAX_COMPETITORS = 20
MAX_NAMES = 10


def brand_for_site(*, site: TrackedSite) -> VisibilityBrand:
    """The site's brand settings (created empty on first use: the site's host still counts)."""
    brand, _ = VisibilityBrand.objects.get_or_create(site=site)
    return brand


def brand_update(*, site: TrackedSite, brand_name: str | None = None,
                 brand_variants: list[str] | None = None, domains: list[str] | None = None
                 ) -> VisibilityBrand:
    """Change the brand name, its spellings or the owned domains (domains are stored as
    bare hosts: "https://www.acme.io/x" -> "acme.io")."""
    brand = brand_for_site(site=site)
    errors: dict[str, list[str]] = {}
    if brand_name is not None:
        brand.brand_name = " ".join(brand_name.split())[:200]
    if brand_variants is not None:
        brand.brand_variants = _names(brand_variants, "brand_variants", errors)
    if domains is not None:
        brand.domains = _domains(domains, "domains", errors)
    if errors:
        raise InvalidPrompt("invalid brand settings", errors)
    brand.save()
    return brand


def prompt_create(*, site: TrackedSite, question: str, language: str = "", country: str = "",
                  tags: list[str] | None = None, competitors: list[dict[str, Any]] | None = None,
                  active: bool = True) -> tuple[TrackedPrompt, bool]:
    """Track a question for a site: (prompt, created). The same question (whitespace
    collapsed), language and country is one prompt (returned, not duplicated)."""
    prompt, created = TrackedPrompt.objects.get_or_create(
        site=site, question=" ".join(question.split()), language=(language or "").lower(),
        country=(country or "").lower(),
        defaults={"tags": list(tags or []), "competitors": list(competitors or []), "active": active})
    return prompt, created


def prompt_update(*, prompt: TrackedPrompt, **fields: Any) -> TrackedPrompt:
    allowed = {"tags", "competitors", "active"}
    changed = [name for name in fields if name in allowed]
    for name in changed:
        setattr(prompt, name, fields[name])
    if changed:
        prompt.save(update_fields=changed)
    return prompt


def prompt_delete(*, prompt: TrackedPrompt) -> None:
    prompt.delete()


def prompt_row_validate(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(clean fields, errors by field) for one prompt (CSV row or API body)."""
    errors: dict[str, list[str]] = {}
    question = " ".join(str(row.get("question") or "").split())
    if not question:
        errors["question"] = ["required"]
    elif len(question) > 1000:
        errors["question"] = ["at most 1000 characters"]
    elif "\x00" in question:
        errors["question"] = ["NUL characters are not allowed"]
    language = str(row.get("language") or "").lower()
    if language and not (2 <= len(language) <= 3 and language.isalpha() and language.isascii()):
        errors["language"] = [f"{language!r} is not a two- or three-letter language code"]
    country = str(row.get("country") or "").lower()
    if country and not (len(country) == 2 and country.isalpha() and country.isascii()):
        errors["country"] = [f"{country!r} is not a two-letter country code"]
    tags = row.get("tags") or []
    if not isinstance(tags, list) or len(tags) > 50 or not all(
            isinstance(t, str) and 0 < len(t) <= 50 for t in tags):
        errors["tags"] = ["a list of at most 50 tags of 1-50 characters"]
    competitors = competitors_validate(row.get("competitors") or [], errors)
    clean = {"question": question, "language": language, "country": country, "tags": tags,
             "competitors": competitors, "active": bool(row.get("active", True))}
    return clean, errors


def competitors_validate(raw: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """[{"name", "variants": [...], "domains": [...]}] with bare-host domains; problems go to
    errors["competitors"]."""
    if not isinstance(raw, list) or len(raw) > MAX_COMPETITORS:
        errors["competitors"] = [f"a list of at most {MAX_COMPETITORS} competitors"]
        return []
    out = []
    for index, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            errors.setdefault("competitors", []).append(f"#{index}: an object with name, variants, domains")
            continue
        name = " ".join(str(item.get("name") or "").split())[:200]
        own: dict[str, list[str]] = {}
        variants = _names(item.get("variants") or [], "variants", own)
        domains = _domains(item.get("domains") or [], "domains", own)
        if not name and not domains:
            own["name"] = ["a competitor needs a name or a domain"]
        for field, messages in own.items():
            errors.setdefault("competitors", []).extend(f"#{index} {field}: {m}" for m in messages)
        out.append({"name": name or domains[0] if (name or domains) else "", "variants": variants,
                    "domains": domains})
    return out


def competitors_parse(cell: str) -> list[dict[str, Any]]:
    """A CSV cell "Globex:globex.com,globex.io|Initech" as competitor objects."""
    out = []
    for part in cell.split("|"):
        name, _sep, domains = part.partition(":")
        if name.strip() or domains.strip():
            out.append({"name": name.strip(), "variants": [],
                        "domains": [d.strip() for d in domains.split(",") if d.strip()]})
    return out


def prompt_import_csv(*, site: TrackedSite, text: str) -> dict[str, Any]:
    """Import prompts from CSV with a header row: question (required), language, country,
    tags ("a|b"), competitors ("Name:domain,domain|Name"), active (true/false).

    Good rows are imported, bad rows are reported one by one with their line number and
    reasons; a row equal to an existing prompt counts as `existing`, not as an error.
    """
    reader, unknown = csv_header(text, columns=CSV_COLUMNS, required="question")
    created = existing = 0
    errors: list[dict[str, Any]] = []
    for record in csv_lines(reader, max_rows=CSV_MAX_ROWS):
        if record.errors:
            errors.append({"line": record.line, "errors": record.errors})
            continue
        row: dict[str, Any] = dict(record.values)
        row["tags"] = [t.strip() for t in row.get("tags", "").split("|") if t.strip()]
        row["competitors"] = competitors_parse(row.get("competitors", ""))
        active = row.get("active", "").lower()
        row_errors: dict[str, list[str]] = {}
        if active not in ("", "true", "false", "1", "0", "yes", "no"):
            row_errors["active"] = [f"{active!r} is not true or false"]
        row["active"] = active not in ("false", "0", "no")
        data, field_errors = prompt_row_validate(row)
        row_errors.update(field_errors)
        if row_errors:
            errors.append({"line": record.line, "errors": row_errors})
            continue
        try:
            with transaction.atomic():
                _, was_created = prompt_create(site=site, **data)
        except IntegrityError as exc:
            errors.append({"line": record.line, "errors": {"row": [f"could not be stored: {exc}"]}})
            continue
        created += was_created
        existing += not was_created
    log.info("visibility.prompt_import", site=site.host, created=created, existing=existing,
             errors=len(errors))
    return {"created": created, "existing": existing, "errors": errors, "ignored_columns": unknown}


def _names(raw: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    if not isinstance(raw, list) or len(raw) > MAX_NAMES or not all(
            isinstance(n, str) and 0 < len(n.strip()) <= 200 for n in raw):
        errors[field] = [f"a list of at most {MAX_NAMES} names of 1-200 characters"]
        return []
    return list(dict.fromkeys(" ".join(n.split()) for n in raw))


def _domains(raw: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    if not isinstance(raw, list) or len(raw) > MAX_NAMES or not all(isinstance(d, str) for d in raw):
        errors[field] = [f"a list of at most {MAX_NAMES} domains"]
        return []
    out = []
    for value in raw:
        host = domain_normalize(value)
        if not host or "." not in host or len(host) > 253:
            errors.setdefault(field, []).append(f"{value!r} is not a domain name")
            continue
        out.append(host)
    return list(dict.fromkeys(out))
