"""ASGI entry point: uvicorn locally, gunicorn with uvicorn workers in production.
ASGI is needed for the async Server-Sent Events progress views."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

from audits.sse.asgi import SharedStreamThread

from .asgi_limits import BodySizeLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
django_application = get_asgi_application()
application = BodySizeLimit(SharedStreamThread(django_application),
                            max_bytes=settings.SEOAUDIT_MAX_REQUEST_BODY)
