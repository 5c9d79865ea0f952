from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.audit_list, name="audit-list"),
    path("live", views.audit_live, name="audit-live"),
    path("<uuid:pk>/", views.audit_detail, name="audit-detail"),
    path("<uuid:pk>/findings/", views.audit_findings, name="audit-findings"),
    path("<uuid:pk>/page-speed/", views.audit_page_speed, name="audit-page-speed"),
    path("<uuid:pk>/ai-content/", views.audit_ai_content, name="audit-ai-content"),
    path("<uuid:pk>/report.<str:fmt>", views.audit_report, name="audit-report"),
]
