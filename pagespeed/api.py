"""`/api/v1/pagespeed`: measure one URL (202, runs in the background), list and read
measurements. Owner-scoped: another user's measurement is a 404. Starting a measurement counts
in the "pagespeed" rate-limit class (a browser or a PSI call each time); reads in "default"."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from audits.api.views import UUID_RE
from audits.exceptions import InvalidAuditURL
from audits.services import target_url_clean
from seoaudit.api.filtering import FilterBackend
from seoaudit.api.pagination import CursorPage

from . import selectors, services
from .exceptions import PageSpeedError
from .models import Measurement


class MeasurementSerializer(serializers.ModelSerializer):
    audit = serializers.UUIDField(source="audit_id", read_only=True, allow_null=True)
    page = serializers.IntegerField(source="page_id", read_only=True, allow_null=True)
    details = serializers.JSONField(read_only=True, help_text=(
        "weight_by_type {type: bytes}, render_blocking [{url, type, bytes, ms}], "
        "unused_large_images [{url, bytes, displayed_w, displayed_h, natural_w, natural_h, "
        "reason}], throttling {profile}, ratings {metric: good|needs-improvement|poor}, "
        "field (PSI) {metric: {p75, category}}; see docs/pagespeed.md."))

    class Meta:
        model = Measurement
        fields = ("id", "url", "source", "form_factor", "status", "error", "audit", "page",
                  "ttfb_ms", "fcp_ms", "lcp_ms", "cls", "tbt_ms", "score", "page_weight_bytes",
                  "request_count", "details", "created_at", "finished_at")
        read_only_fields = fields


class MeasurementRequestSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2048, help_text="The page to measure (public URL).")
    form_factor = serializers.ChoiceField(choices=("mobile", "desktop", "both"), default="both")
    source = serializers.ChoiceField(choices=Measurement.Source.choices,
                                     default=Measurement.Source.LAB,
                                     help_text="lab: headless Chromium here; psi: PageSpeed "
                                               "Insights (needs PAGESPEED_API_KEY).")


class PageSpeedUnavailable(exceptions.APIException):
    status_code = 400
    default_code = "pagespeed_error"

    def __init__(self, error: PageSpeedError) -> None:
        super().__init__(str(error), error.code)
        self.status_code = error.http_status


class MeasurementFilter(django_filters.FilterSet):
    url = django_filters.CharFilter(method="filter_url", max_length=2048,
                                    help_text="The measured URL (normalized as on creation).")
    audit = django_filters.UUIDFilter(field_name="audit_id", help_text="An audit's id.")
    source = django_filters.ChoiceFilter(choices=Measurement.Source.choices)
    form_factor = django_filters.ChoiceFilter(choices=Measurement.FormFactor.choices)
    status = django_filters.ChoiceFilter(choices=Measurement.Status.choices)

    class Meta:
        model = Measurement
        fields = ("url", "audit", "source", "form_factor", "status")

    def filter_url(self, queryset: Any, name: str, value: str) -> Any:
        try:
            normalized = target_url_clean(url=value, public_only=False)[1]
        except InvalidAuditURL:
            normalized = value
        return queryset.filter(url=normalized)


@extend_schema_view(
    list=extend_schema(summary="Your page-speed measurements, newest first"),
    retrieve=extend_schema(summary="One measurement: status and figures"),
)
class MeasurementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    serializer_class = MeasurementSerializer
    pagination_class = CursorPage
    filter_backends = (FilterBackend,)
    filterset_class = MeasurementFilter
    lookup_value_regex = UUID_RE
    queryset = Measurement.objects.none()

    @property
    def throttle_scope(self) -> str:  # read by seoaudit.ratelimit.view_scope
        return "pagespeed" if getattr(self, "action", None) == "create" else "default"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.measurement_list_for_user(user=self.request.user)

    @extend_schema(
        summary="Measure one URL (runs in the background)",
        request=MeasurementRequestSerializer,
        responses={202: inline_serializer("PageSpeedAccepted", {
            "ids": serializers.ListField(child=serializers.UUIDField()),
            "measurements": MeasurementSerializer(many=True)}),
            400: OpenApiResponse(description="Invalid or non-public URL."),
            503: OpenApiResponse(description="PSI asked for, but PAGESPEED_API_KEY is not set.")})
    def create(self, request: Request) -> Response:
        payload = MeasurementRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            rows = services.measurement_request(owner=request.user, url=data["url"],
                                                form_factor=data["form_factor"],
                                                source=data["source"])
        except PageSpeedError as exc:
            raise PageSpeedUnavailable(exc) from exc
        return Response({"ids": [str(row.pk) for row in rows],
                         "measurements": MeasurementSerializer(rows, many=True).data},
                        status=status.HTTP_202_ACCEPTED)


router = SimpleRouter(trailing_slash=False)
router.trailing_slash = "/?"  # /api/v1/pagespeed and /api/v1/pagespeed/ both answer
router.register("pagespeed", MeasurementViewSet, basename="pagespeed")
urlpatterns = router.urls
