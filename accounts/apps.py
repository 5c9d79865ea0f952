from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "API access"

    def ready(self) -> None:
        # Registers the OpenAPI extension for the bearer authentication (drf-spectacular).
        from seoaudit.api import schema  # noqa: F401
