from django.urls import include, path
from rest_framework.routers import SimpleRouter

from ..sse.views import audit_events
from .views import UUID_RE, AuditViewSet, CheckViewSet, FindingViewSet, LinkViewSet, PageViewSet, SearchView

router = SimpleRouter(trailing_slash=False)
router.register("audits", AuditViewSet, basename="audit")
router.register(rf"audits/(?P<audit_id>{UUID_RE})/pages", PageViewSet, basename="audit-page")
router.register(rf"audits/(?P<audit_id>{UUID_RE})/links", LinkViewSet, basename="audit-link")
router.register(rf"audits/(?P<audit_id>{UUID_RE})/findings", FindingViewSet, basename="audit-finding")
router.register("checks", CheckViewSet, basename="check")

urlpatterns = [
    path("search", SearchView.as_view(), name="search"),
    path("audits/<uuid:audit_id>/events", audit_events, name="audit-events"),
    path("", include(router.urls)),
]
