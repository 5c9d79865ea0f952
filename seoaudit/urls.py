from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import ApiTokenViewSet, TokenObtainView, TokenRefreshView, TokenVerifyView
from analytics.console import dashboard_view
from seoaudit.api.health import HealthLiveView, HealthReadyView, HealthSummaryView
from seoaudit.api.legacy import legacy_redirect


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe kept for docker-compose and older load balancer configs (= /health/live)."""
    return JsonResponse({"status": "ok"})


accounts_router = SimpleRouter(trailing_slash=False)
accounts_router.register("tokens", ApiTokenViewSet, basename="api-token")

api_v1 = [
    path("auth/token", TokenObtainView.as_view(), name="token-obtain"),
    path("auth/token/refresh", TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/token/verify", TokenVerifyView.as_view(), name="token-verify"),
    path("", include(accounts_router.urls)),
    path("", include("audits.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("keywords.api.urls")),
    path("", include("visibility.api.urls")),
    path("", include("ai.api")),
    path("", include("pagespeed.api")),
]

urlpatterns = [
    path("admin/dashboard/", admin.site.admin_view(dashboard_view), name="console-dashboard"),
    path("admin/", admin.site.urls),
    # --- Progress pages (dashboard) ---
    path("", RedirectView.as_view(pattern_name="dashboard:audit-list"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audits/", include("dashboard.urls")),
    path("analytics/", include("analytics.urls")),
    path("healthz", healthz, name="healthz"),
    path("health", HealthSummaryView.as_view(), name="health"),
    path("health/live", HealthLiveView.as_view(), name="health-live"),
    path("health/ready", HealthReadyView.as_view(), name="health-ready"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
         name="redoc"),
    # Unversioned API paths: 308 to the current version (query string kept).
    re_path(r"^api/(?!v\d+(?:/|$)|schema/?$)(?P<path>.*)$", legacy_redirect, name="api-legacy"),
]

handler400 = "seoaudit.api.errors.json_bad_request"
handler403 = "seoaudit.api.errors.json_permission_denied"
handler404 = "seoaudit.api.errors.json_not_found"
handler500 = "seoaudit.api.errors.json_server_error"
