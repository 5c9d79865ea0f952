"""Credential endpoints: local JWT obtain/refresh/verify (public, rate-limited as "auth")
and personal API tokens (list, create — the secret is in the create response only —,
retrieve, revoke)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt import views as jwt_views

from seoaudit.api.pagination import CursorPage

from . import selectors, services
from .models import ApiToken


class TokenObtainView(jwt_views.TokenObtainPairView):
    """Exchange a username and password for an access token and a refresh token."""

    throttle_scope = "auth"


class TokenRefreshView(jwt_views.TokenRefreshView):
    """Exchange a refresh token for a new access token."""

    throttle_scope = "auth"


class TokenVerifyView(jwt_views.TokenVerifyView):
    """Check that a local access or refresh token is valid (200 with an empty object)."""

    throttle_scope = "auth"


class ApiTokenSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_usable", read_only=True)

    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at",
                  "active")
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret. Shown only in this response.")

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "token")
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_expires_at(self, value: Any) -> Any:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("must be in the future")
        return value


@extend_schema_view(
    list=extend_schema(summary="Your personal API tokens"),
    retrieve=extend_schema(summary="One personal API token"),
    destroy=extend_schema(summary="Revoke a personal API token", responses={204: None}),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiTokenSerializer
    pagination_class = CursorPage
    lookup_value_regex = r"[0-9]{1,18}"
    queryset = ApiToken.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.api_token_list_for_user(user=self.request.user)

    @extend_schema(summary="Create a personal API token", request=ApiTokenCreateSerializer,
                   responses={201: ApiTokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        payload = ApiTokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, raw = services.api_token_create(user=request.user, **payload.validated_data)
        token.token = raw  # type: ignore[attr-defined]
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.api_token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
