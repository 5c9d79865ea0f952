"""geo_access checks (see registry.py for how a check is written)."""

from __future__ import annotations
