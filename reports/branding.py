"""White-label branding per owner: the read used by reports and the write used by the API."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from .models import ReportBranding

#: Largest logo accepted (decoded bytes).
LOGO_MAX_BYTES = 200 * 1024
_LOGO_RE = re.compile(r"^data:(image/(?:png|jpeg|gif|webp|svg\+xml));base64,([A-Za-z0-9+/=\s]+)$")
DEFAULTS = {"agency_name": "", "logo": "", "primary_color": "#1f4e79",
            "accent_color": "#2e86de", "footer_text": ""}


class InvalidBranding(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Branding:
    agency_name: str
    logo: str
    primary_color: str
    accent_color: str
    footer_text: str


def branding_for_owner(*, owner_id: Any) -> Branding:
    """The owner's branding, or the neutral defaults when none was saved."""
    row = ReportBranding.objects.filter(owner_id=owner_id).values(*DEFAULTS).first()
    return Branding(**(row or DEFAULTS))


def logo_validate(value: str) -> str:
    """A logo must be a base64 data: URL of an image, at most LOGO_MAX_BYTES: reports never
    fetch anything from the network."""
    if not value:
        return ""
    match = _LOGO_RE.match(value.strip())
    if match is None:
        raise InvalidBranding("the logo must be a data: URL (base64 PNG, JPEG, GIF, WebP or SVG)")
    try:
        raw = base64.b64decode(match.group(2), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBranding("the logo is not valid base64") from exc
    if len(raw) > LOGO_MAX_BYTES:
        raise InvalidBranding(f"the logo is larger than {LOGO_MAX_BYTES // 1024} KB")
    return f"data:{match.group(1)};base64,{base64.b64encode(raw).decode()}"
