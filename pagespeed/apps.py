from django.apps import AppConfig


class PagespeedConfig(AppConfig):
    name = "pagespeed"
    verbose_name = "Page speed"
