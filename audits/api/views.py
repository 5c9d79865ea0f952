"""Thin API views: validate with a serializer, call a service or selector, serialize out.
(The full API platform — tokens, rate limits, error shape — is its own piece of work.)"""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..engine.checks.registry import REGISTRY
from ..exceptions import AuditError
from ..models import Audit


class AuditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Audit
        fields = ("id", "url", "normalized_url", "status", "options", "progress",
                  "pages_crawled", "total_pages", "seo_score", "geo_score", "scores", "error",
                  "created_at", "started_at", "finished_at")
        read_only_fields = fields


class AuditCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2048)
    options = serializers.DictField(required=False, default=dict)


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AuditSerializer

    def get_queryset(self) -> Any:
        return selectors.audit_list_for_user(user=self.request.user)

    def create(self, request: Request) -> Response:
        payload = AuditCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        options = dict(payload.validated_data["options"])
        options.pop("allow_private", None)  # never from the network
        try:
            audit = services.audit_create(owner=request.user, url=payload.validated_data["url"],
                                          options=options)
        except AuditError as exc:
            raise ValidationError({"error": {"code": exc.code, "message": str(exc)}}) from exc
        return Response(AuditSerializer(audit).data, status=status.HTTP_201_CREATED)


class CheckListView(APIView):
    """The check catalog, read from the one registry."""

    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        return Response([check.as_dict() for check in REGISTRY.values()])
