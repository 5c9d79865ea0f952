from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import BudgetView, PromptViewSet, RunViewSet, StatusView, VisibilitySiteViewSet

router = SimpleRouter(trailing_slash=False)
router.register("ai-visibility/sites", VisibilitySiteViewSet, basename="ai-visibility-site")
router.register("ai-visibility/prompts", PromptViewSet, basename="ai-visibility-prompt")
router.register("ai-visibility/runs", RunViewSet, basename="ai-visibility-run")

urlpatterns = [
    path("ai-visibility/status", StatusView.as_view(), name="ai-visibility-status"),
    path("ai-visibility/budget", BudgetView.as_view(), name="ai-visibility-budget"),
    path("", include(router.urls)),
]
