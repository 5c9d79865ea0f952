"""What every engine is told besides the question (kept minimal: the answer should be what a
user asking the same question would get)."""

from __future__ import annotations

import re

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def language_code(language: str) -> str:
    """A BCP 47-looking language tag ("de", "pt-BR"), or "" when the input is not one."""
    language = (language or "").strip()
    return language.replace("_", "-") if _LANGUAGE.match(language) else ""


def country_code(country: str) -> str:
    """An ISO 3166-1 alpha-2 country code in upper case ("DE"), or "" when not one."""
    country = (country or "").strip()
    return country.upper() if _COUNTRY.match(country) else ""


def instructions(*, language: str = "", country: str = "") -> str:
    """A one-line system instruction pinning the answer language and the user's country (so
    brand matching sees the language the question is tracked in); "" when neither is given."""
    parts = []
    if code := language_code(language):
        parts.append(f"Answer in the language with the code '{code}'.")
    if code := country_code(country):
        parts.append(f"The user is in the country with the code '{code}'.")
    return " ".join(parts)
