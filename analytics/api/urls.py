from django.urls import path

from . import views

urlpatterns = [
    path("analytics/sites", views.SiteListView.as_view(), name="analytics-sites"),
    path("analytics/sites/<str:site>", views.SiteTrendView.as_view(), name="analytics-site-trend"),
    path("analytics/portfolio", views.PortfolioView.as_view(), name="analytics-portfolio"),
    path("analytics/compare", views.CompareView.as_view(), name="analytics-compare"),
]
