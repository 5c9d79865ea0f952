"""The project's URLs plus a stand-in named `audit-reports`, as the reports app adds it."""

from django.http import HttpResponse
from django.urls import path

from seoaudit.urls import handler400, handler403, handler404, handler500  # noqa: F401
from seoaudit.urls import urlpatterns as project

urlpatterns = [
    path("api/v1/audits/<uuid:audit_id>/reports", lambda request, audit_id: HttpResponse(),
         name="audit-reports"),
    *project,
]
