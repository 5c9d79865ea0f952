"""ASGI entry point: uvicorn locally, gunicorn with uvicorn workers in production.
ASGI is needed for the async Server-Sent Events progress views."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

from .asgi_limits import BodySizeLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
application = BodySizeLimit(get_asgi_application(), max_bytes=settings.SEOAUDIT_MAX_REQUEST_BODY)
