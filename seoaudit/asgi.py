"""ASGI entry point: uvicorn locally, gunicorn with uvicorn workers in production.
ASGI is needed for the async Server-Sent Events progress views."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
application = get_asgi_application()
