import logging

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # WeasyPrint logs every layout step (and its stylesheets at import) at INFO: one PDF
        # would write 40 lines.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
