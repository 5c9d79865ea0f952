from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .views import AuditViewSet, CheckListView

router = DefaultRouter(trailing_slash=False)
router.register("audits", AuditViewSet, basename="audit")

urlpatterns = [
    path("checks", CheckListView.as_view(), name="check-list"),
    path("", include(router.urls)),
]
