from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.audit_list, name="audit-list"),
    path("live", views.audit_live, name="audit-live"),
    path("<uuid:pk>/", views.audit_detail, name="audit-detail"),
    path("<uuid:pk>/findings/", views.audit_findings, name="audit-findings"),
    path("<uuid:pk>/report.<str:fmt>", views.audit_report, name="audit-report"),
]
