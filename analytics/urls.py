from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.portfolio_page, name="portfolio"),
    path("sites/<str:site>/", views.site_page, name="site"),
]
