from django.apps import AppConfig


class KeywordsConfig(AppConfig):
    name = "keywords"
    verbose_name = "Keywords & rank tracking"
