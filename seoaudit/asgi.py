"""ASGI entry point: uvicorn locally, gunicorn with uvicorn workers in production.
ASGI is needed for the async Server-Sent Events progress views. Sync requests run on a fixed
set of threads per process (SEOAUDIT_ASGI_THREADS, `asgi_lanes.py`)."""

import os

from django.conf import settings

from audits.sse.asgi import SharedStreamThread

from .asgi_lanes import get_lane_asgi_application
from .asgi_limits import BodySizeLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")


def build_application() -> BodySizeLimit:
    """The served ASGI stack, built from the current settings (tests build a fresh one).
    Event streams share one thread for their sync parts (the outermost ThreadSensitiveContext
    wins); every other request takes one of the lanes."""
    lanes = get_lane_asgi_application(lanes=settings.SEOAUDIT_ASGI_THREADS)
    return BodySizeLimit(SharedStreamThread(lanes), max_bytes=settings.SEOAUDIT_MAX_REQUEST_BODY)


application = build_application()
