from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import (
                    KeywordGroupViewSet,
                    KeywordViewSet,
                    ProviderStatusView,
                    RankCheckViewSet,
                    RankRunView,
                    RankSiteViewSet,
                    TrackedSiteViewSet,
)

router = SimpleRouter(trailing_slash=False)
router.register("keywords/sites", TrackedSiteViewSet, basename="keyword-site")
router.register("keywords/groups", KeywordGroupViewSet, basename="keyword-group")
router.register("keywords", KeywordViewSet, basename="keyword")
router.register("rank-tracking/checks", RankCheckViewSet, basename="rank-check")
router.register("rank-tracking/sites", RankSiteViewSet, basename="rank-site")

urlpatterns = [
    path("rank-tracking/status", ProviderStatusView.as_view(), name="rank-tracking-status"),
    path("rank-tracking/run", RankRunView.as_view(), name="rank-tracking-run"),
    path("", include(router.urls)),
]
