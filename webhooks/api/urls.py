from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import DeliveryViewSet, EndpointViewSet, GitHubIncomingView, GitHubRepositoryViewSet

router = SimpleRouter(trailing_slash=False)
router.register("webhooks/endpoints", EndpointViewSet, basename="webhook-endpoint")
router.register("webhooks/deliveries", DeliveryViewSet, basename="webhook-delivery")
router.register("webhooks/github/repositories", GitHubRepositoryViewSet,
                basename="github-repository")

urlpatterns = [
    path("webhooks/github/incoming", GitHubIncomingView.as_view(), name="github-incoming"),
    path("", include(router.urls)),
]
