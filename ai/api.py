"""`/api/v1/ai-content`: request a generation (202), read its status and result, list.
Owner-scoped: another user's audit, page or content row is a 404. Throttle scope "ai"."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from seoaudit.api.pagination import CursorPage

from . import selectors, services
from .exceptions import AIContentError
from .generators import JSON_LD_TYPES
from .models import AIContent


class AIContentSerializer(serializers.ModelSerializer):
    audit = serializers.UUIDField(source="audit_id", read_only=True)
    page = serializers.IntegerField(source="page_id", read_only=True, allow_null=True)
    cost = serializers.DecimalField(max_digits=12, decimal_places=6, coerce_to_string=False,
                                    read_only=True)

    class Meta:
        model = AIContent
        fields = ("id", "kind", "audit", "page", "page_url", "status", "offline", "provider",
                  "model", "cached", "output", "error", "input", "tokens_in", "tokens_out",
                  "cost", "latency_ms", "attempts", "created_at", "finished_at")
        read_only_fields = fields


class AIContentRequestSerializer(serializers.Serializer):
    audit = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=AIContent.Kind.choices)
    page = serializers.IntegerField(required=False, min_value=1,
                                    help_text="A page id of the audit (default: its home page).")
    page_url = serializers.CharField(required=False, max_length=2048,
                                     help_text="Or the page's URL as the audit stored it.")
    schema_type = serializers.ChoiceField(choices=JSON_LD_TYPES, required=False,
                                          help_text="For kind json_ld (default Article).")


class AIRequestInvalid(exceptions.APIException):
    status_code = 400
    default_code = "invalid_request"


@extend_schema_view(
    list=extend_schema(summary="Your AI content rows, newest first", parameters=[
        OpenApiParameter("audit", str, description="Only rows of this audit (id)."),
        OpenApiParameter("kind", str, enum=[k for k, _ in AIContent.Kind.choices])]),
    retrieve=extend_schema(summary="One AI content row: status and result"),
)
class AIContentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AIContentSerializer
    pagination_class = CursorPage
    throttle_scope = "ai"
    queryset = AIContent.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        params = self.request.query_params
        audit = params.get("audit") or None
        if audit:
            try:
                serializers.UUIDField().to_internal_value(audit)
            except serializers.ValidationError as exc:
                raise exceptions.ValidationError({"audit": exc.detail}) from exc
        return selectors.ai_content_list_for_user(user=self.request.user, audit_id=audit,
                                                  kind=params.get("kind") or None)

    @extend_schema(summary="Request a generation (runs in the background)",
                   request=AIContentRequestSerializer,
                   responses={202: AIContentSerializer,
                              404: OpenApiResponse(description="No such audit or page of yours.")})
    def create(self, request: Request) -> Response:
        payload = AIContentRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        options = {"schema_type": data["schema_type"]} if "schema_type" in data else {}
        try:
            content = services.ai_content_request(
                user=request.user, audit_id=str(data["audit"]), kind=data["kind"],
                page_id=data.get("page"), page_url=data.get("page_url", ""), options=options)
        except AIContentError as exc:
            raise AIRequestInvalid(exc.message, exc.code) from exc
        return Response(AIContentSerializer(content).data, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": f"{request.path.rstrip('/')}/{content.pk}"})


router = SimpleRouter(trailing_slash=False)
router.trailing_slash = "/?"  # /api/v1/ai-content and /api/v1/ai-content/ both answer
router.register("ai-content", AIContentViewSet, basename="ai-content")
urlpatterns = router.urls
