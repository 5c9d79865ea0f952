"""The generators, one per content kind (see base.py for the shared contract)."""

from __future__ import annotations

from .base import Generator, InvalidOutput, PageContext
from .copy import AltText, Faq, TitleMeta
from .structured import JSON_LD_TYPES, GeoBrief, JsonLd, LlmsTxt

GENERATORS: dict[str, Generator] = {g.kind: g for g in (TitleMeta(), AltText(), Faq(), JsonLd(),
                                                         LlmsTxt(), GeoBrief())}

__all__ = ["GENERATORS", "JSON_LD_TYPES", "Generator", "InvalidOutput", "PageContext"]
