from django.urls import path

from .views import AuditReportDirectView, AuditReportsView, BrandingView, ReportDetailView, ReportDownloadView

urlpatterns = [
    path("reports/branding", BrandingView.as_view(), name="report-branding"),
    path("reports/<uuid:report_id>", ReportDetailView.as_view(), name="report-detail"),
    path("reports/<uuid:report_id>/download", ReportDownloadView.as_view(), name="report-download"),
    path("audits/<uuid:audit_id>/reports", AuditReportsView.as_view(), name="audit-reports"),
    path("audits/<uuid:audit_id>/report.<str:fmt>", AuditReportDirectView.as_view(),
         name="audit-report-direct"),
]
