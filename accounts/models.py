"""API credentials: personal API tokens (CI, scripts) and external identities (Auth0 users
mapped to local users). Passwords stay in django.contrib.auth."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored: the token is shown once,
    at creation. The secret has 256 bits of entropy, so a fast hash is enough (no brute force
    over the space is possible) and lets a request find its token by an indexed lookup."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    #: The first characters of the token, shown in lists so a person can tell tokens apart.
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class ExternalIdentity(models.Model):
    """A user of an external identity provider (Auth0 `sub`) mapped to a local user."""

    class Provider(models.TextChoices):
        AUTH0 = "auth0", "Auth0"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="external_identities")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    subject = models.CharField(max_length=255)
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "external identities"
        constraints = [models.UniqueConstraint(fields=["provider", "subject"],
                                               name="identity_unique_subject")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"
