"""Thin API views: validate with a serializer, call one service or selector, serialize out.
Ownership: every queryset starts from the caller's audits, so another user's audit, page,
link or finding does not exist for the caller (404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seoaudit.api.pagination import CursorPage, IdCursorPage

from .. import selectors, services
from ..engine.checks.registry import CATEGORIES, REGISTRY
from ..models import Audit, Finding, Link, Page
from ..sse.tokens import stream_token_issue
from . import serializers as s
from .filters import AuditFilter, FindingFilter, LinkFilter, PageFilter

UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

_IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Repeat a create safely: the same key with the same body returns the first "
                "result (200) for 24 h; with a different body it is refused (422).")
_AUDIT_ID = OpenApiParameter("audit_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="Your audits, newest first"),
    retrieve=extend_schema(summary="One audit"),
)
class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.AuditSerializer
    pagination_class = CursorPage
    filter_backends = (DjangoFilterBackend, OrderingFilter)
    filterset_class = AuditFilter
    ordering_fields = ("created_at", "normalized_url")
    ordering = ("-created_at",)
    lookup_value_regex = UUID_RE
    throttle_scope = "audits"
    queryset = Audit.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.audit_list_for_user(user=self.request.user)

    @extend_schema(summary="Start an audit (idempotent)", request=s.AuditCreateSerializer,
                   parameters=[_IDEMPOTENCY_KEY],
                   responses={201: s.AuditSerializer, 200: s.AuditSerializer,
                              422: OpenApiResponse(description="Idempotency-Key reused with another "
                                                               "request, or its first request is still "
                                                               "being processed.")})
    def create(self, request: Request) -> Response:
        payload = s.AuditCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        audit, created = services.audit_submit(
            owner=request.user, url=payload.validated_data["url"],
            options=payload.validated_data["options"],
            idempotency_key=request.headers.get("Idempotency-Key") or None)
        return Response(s.AuditSerializer(audit).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Delete an audit with its pages, links and findings", responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.audit_delete(audit=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Cancel a pending or running audit", request=None,
                   responses={200: s.AuditSerializer,
                              409: OpenApiResponse(description="The audit has already finished.")})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        audit = services.audit_cancel_active(audit=self.get_object())
        return Response(s.AuditSerializer(audit).data)

    @extend_schema(summary="Audit the same URL again with the same options", request=None,
                   responses={201: s.AuditSerializer, 200: s.AuditSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request: Request, pk: str | None = None) -> Response:
        audit, created = services.audit_rerun(audit=self.get_object())
        return Response(s.AuditSerializer(audit).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Progress snapshot", responses={200: s.ProgressSerializer})
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        return Response(s.ProgressSerializer(selectors.audit_progress(audit=self.get_object())).data)

    @extend_schema(summary="A short-lived token for the audit's event stream",
                   description="For clients that cannot send an Authorization header (browser "
                               "EventSource): pass the token as `?token=` to "
                               "`GET /api/v1/audits/{id}/events`. Bound to the caller and this "
                               "audit; expires after SSE_STREAM_TOKEN_TTL seconds (default 300).",
                   request=None, responses={201: s.StreamTokenSerializer})
    @action(detail=True, methods=["post"], url_path="stream-token")
    def stream_token(self, request: Request, pk: str | None = None) -> Response:
        audit = self.get_object()
        token, expires_at = stream_token_issue(user=request.user, audit_id=audit.pk)
        events_url = f"{reverse('audit-events', args=[audit.pk])}?{urlencode({'token': token})}"
        return Response(s.StreamTokenSerializer(
            {"token": token, "expires_at": expires_at, "events_url": events_url}).data,
            status=status.HTTP_201_CREATED)

    @extend_schema(summary="SEO and GEO score breakdown", responses={200: s.ScoreBreakdownSerializer})
    @action(detail=True, methods=["get"])
    def score(self, request: Request, pk: str | None = None) -> Response:
        breakdown = selectors.audit_score_breakdown(audit=self.get_object())
        return Response(s.ScoreBreakdownSerializer(breakdown).data)


class _AuditChildViewSet(viewsets.GenericViewSet):
    """Read-only rows of one of the caller's audits (audit_id in the path)."""

    pagination_class = IdCursorPage
    filter_backends = (DjangoFilterBackend,)
    lookup_value_regex = r"[0-9]{1,18}"
    throttle_scope = "audits"

    def audit(self) -> Audit:
        if not hasattr(self, "_audit_cache"):
            if getattr(self, "swagger_fake_view", False):
                raise Http404
            try:
                self._audit_cache = selectors.audit_get_for_user(
                    user=self.request.user, audit_id=self.kwargs["audit_id"])
            except Audit.DoesNotExist as exc:
                raise Http404 from exc
        return self._audit_cache


@extend_schema_view(list=extend_schema(summary="Crawled pages of an audit", parameters=[_AUDIT_ID]),
                    retrieve=extend_schema(summary="One crawled page with its facts",
                                           parameters=[_AUDIT_ID]))
class PageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _AuditChildViewSet):
    filterset_class = PageFilter
    queryset = Page.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.page_list_for_audit(audit=self.audit())

    def get_serializer_class(self) -> Any:
        return s.PageDetailSerializer if self.action == "retrieve" else s.PageSerializer


@extend_schema_view(list=extend_schema(summary="Links found on an audit's pages", parameters=[_AUDIT_ID]))
class LinkViewSet(mixins.ListModelMixin, _AuditChildViewSet):
    filterset_class = LinkFilter
    serializer_class = s.LinkSerializer
    queryset = Link.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.link_list_for_audit(audit=self.audit())


@extend_schema_view(list=extend_schema(summary="Findings of an audit", parameters=[_AUDIT_ID]),
                    retrieve=extend_schema(summary="One finding", parameters=[_AUDIT_ID]))
class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _AuditChildViewSet):
    filterset_class = FindingFilter
    serializer_class = s.FindingSerializer
    queryset = Finding.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.finding_list_for_audit(audit=self.audit())

    @extend_schema(summary="Findings per check, severity and category", parameters=[_AUDIT_ID],
                   responses={200: s.FindingSummarySerializer}, filters=False)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=())
    def summary(self, request: Request, audit_id: str | None = None) -> Response:
        return Response(s.FindingSummarySerializer(
            selectors.finding_summary_for_audit(audit=self.audit())).data)


class CheckViewSet(viewsets.ViewSet):
    """The check catalog, read from the one registry (the same list as docs/checks.md)."""

    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9_.\-]{1,100}"

    @extend_schema(summary="Every check", responses={200: s.CheckSerializer(many=True)},
                   parameters=[OpenApiParameter("category", str, enum=sorted(CATEGORIES)),
                               OpenApiParameter("severity", str, enum=["error", "warning", "notice"])])
    def list(self, request: Request) -> Response:
        checks = [check.as_dict() for check in REGISTRY.values()]
        for key in ("category", "severity"):
            wanted = request.query_params.get(key)
            if wanted:
                checks = [c for c in checks if c[key] == wanted]
        return Response(s.CheckSerializer(checks, many=True).data)

    @extend_schema(summary="One check by code", responses={200: s.CheckSerializer})
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        check = REGISTRY.get(code or "")
        if check is None:
            raise Http404
        return Response(s.CheckSerializer(check.as_dict()).data)


class SearchView(APIView):
    """Search the caller's audits (URL), pages (URL, title) and findings (check code, title)."""

    throttle_scope = "search"

    @extend_schema(summary="Search your audits, pages and findings",
                   parameters=[s.SearchQuerySerializer], responses={200: s.SearchResultSerializer})
    def get(self, request: Request) -> Response:
        query = s.SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = selectors.search_for_user(user=request.user, q=query.validated_data["q"],
                                            limit=query.validated_data["limit"])
        return Response(s.SearchResultSerializer(results).data)
