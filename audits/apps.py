import os
import sys

import structlog
from django.apps import AppConfig
from django.conf import settings


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        # One line per process saying which run mode is active (README: two run modes).
        if os.environ.get("SEOAUDIT_QUIET_STARTUP") != "1":
            db = settings.DATABASES["default"]
            structlog.get_logger("seoaudit").info(
                "startup", mode=settings.RUN_MODE, database=db["ENGINE"].rsplit(".", 1)[-1],
                broker=settings.CELERY_BROKER_URL.split("://", 1)[0],
                cache=settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
                process=os.path.basename(sys.argv[0]))
