"""Thin API views for keywords and rank tracking. Every queryset starts from the caller's own
sites, so another user's site, keyword, group or check is a 404 (or, as a foreign key in a
request body, "does not exist")."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seoaudit.api.pagination import CursorPage, IdCursorPage

from .. import analytics, research, selectors, services, tasks
from ..exceptions import KeywordsError
from ..models import Keyword, KeywordGroup, RankCheck, TrackedSite
from ..providers import SerpError, provider_status
from . import serializers as s

_NOT_CONFIGURED = OpenApiResponse(description="No SERP provider is configured "
                                              "(error code serp_provider_not_configured).")


def _api_error(exc: KeywordsError | SerpError) -> APIException:
    error = APIException(detail=str(exc), code=exc.code)
    error.status_code = getattr(exc, "http_status", None) or (
        409 if exc.code == "serp_provider_not_configured" else 502)
    return error


class _KeywordsViewMixin:
    """Domain errors become the one JSON error shape; ids are plain integers."""

    lookup_value_regex = r"[0-9]{1,18}"
    throttle_scope = "default"

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, KeywordsError | SerpError):
            exc = _api_error(exc)
        return super().handle_exception(exc)  # type: ignore[misc]

    def _fake(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    def _filter_ids(self, queryset: Any, fields: dict[str, str]) -> Any:
        """Optional integer id filters from the query string (?site=3); others are ignored."""
        for param, field in fields.items():
            value = self.request.query_params.get(param, "")  # type: ignore[attr-defined]
            if value.isdigit() and len(value) < 19:
                queryset = queryset.filter(**{field: int(value)})
        return queryset


@extend_schema_view(list=extend_schema(summary="Your tracked sites"),
                    retrieve=extend_schema(summary="One tracked site"))
class TrackedSiteViewSet(_KeywordsViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    serializer_class = s.TrackedSiteSerializer
    pagination_class = CursorPage
    queryset = TrackedSite.objects.none()

    def get_queryset(self) -> Any:
        if self._fake():
            return self.queryset
        return selectors.site_list_for_user(user=self.request.user).annotate(
            keyword_count=Count("keywords"))

    @extend_schema(summary="Track a site (idempotent per host)", responses={201: s.TrackedSiteSerializer})
    def create(self, request: Request) -> Response:
        payload = s.TrackedSiteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        site = services.site_create(owner=request.user, **payload.validated_data)
        return Response(s.TrackedSiteSerializer(site).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Rename a site or change its re-audit schedule",
                   request=s.TrackedSiteUpdateSerializer, responses={200: s.TrackedSiteSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        payload = s.TrackedSiteUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        site = services.site_update(site=self.get_object(), **payload.validated_data)
        return Response(s.TrackedSiteSerializer(site).data)

    @extend_schema(summary="Stop tracking a site (its keywords and checks go too)", responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.site_delete(site=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary="Your keyword groups"),
                    retrieve=extend_schema(summary="One keyword group"))
class KeywordGroupViewSet(_KeywordsViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = s.KeywordGroupSerializer
    pagination_class = IdCursorPage
    queryset = KeywordGroup.objects.none()

    def get_queryset(self) -> Any:
        return self.queryset if self._fake() else selectors.group_list_for_user(user=self.request.user)

    @extend_schema(summary="Create a keyword group (idempotent per site and name)",
                   responses={201: s.KeywordGroupSerializer})
    def create(self, request: Request) -> Response:
        payload = s.KeywordGroupSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        group = services.group_create(**payload.validated_data)
        return Response(s.KeywordGroupSerializer(group).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="Your keywords (filter: ?site=)"),
                    retrieve=extend_schema(summary="One keyword"))
class KeywordViewSet(_KeywordsViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    serializer_class = s.KeywordSerializer
    pagination_class = CursorPage
    queryset = Keyword.objects.none()

    def get_queryset(self) -> Any:
        if self._fake():
            return self.queryset
        return self._filter_ids(selectors.keyword_list_for_user(user=self.request.user),
                                {"site": "site_id"})

    @extend_schema(summary="Track a keyword (the same phrase/engine/country/language/device "
                           "returns the existing one, 200)",
                   responses={201: s.KeywordSerializer, 200: s.KeywordSerializer})
    def create(self, request: Request) -> Response:
        payload = s.KeywordSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("active", None)
        keyword, created = services.keyword_create(**data)
        return Response(s.KeywordSerializer(keyword).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Change tags, target URL, group or active", request=s.KeywordUpdateSerializer,
                   responses={200: s.KeywordSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        keyword = self.get_object()
        payload = s.KeywordUpdateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        group = payload.validated_data.get("group")
        if group is not None and group.site_id != keyword.site_id:
            from rest_framework.exceptions import ValidationError
            raise ValidationError({"group": ["belongs to another site"]})
        keyword = services.keyword_update(keyword=keyword, **payload.validated_data)
        return Response(s.KeywordSerializer(keyword).data)

    @extend_schema(summary="Stop tracking a keyword (its checks go too)", responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.keyword_delete(keyword=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Import keywords from CSV; bad rows are reported line by line",
                   request=s.KeywordImportSerializer, responses={200: s.KeywordImportResultSerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request: Request) -> Response:
        payload = s.KeywordImportSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        result = services.keyword_import_csv(site=payload.validated_data["site"],
                                             text=payload.validated_data["csv"])
        return Response(s.KeywordImportResultSerializer(result).data)

    @extend_schema(summary="Position history of a keyword, oldest first (?since=YYYY-MM-DD)",
                   parameters=[s.SinceSerializer], responses={200: s.HistoryPointSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        query = s.SinceSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        checks = selectors.keyword_history(keyword=self.get_object(),
                                           since=query.validated_data.get("since"))
        return Response(s.HistoryPointSerializer(checks, many=True).data)

    @extend_schema(summary="Keyword ideas for a site, each naming its source",
                   parameters=[s.SuggestionQuerySerializer],
                   responses={200: dict, 404: OpenApiResponse(description="No such site of yours.")})
    @action(detail=False, methods=["get"])
    def suggestions(self, request: Request) -> Response:
        query = s.SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        site = selectors.site_get_for_user(user=request.user, site_id=query.validated_data["site"])
        seed = query.validated_data.get("seed")
        return Response(research.research_suggestions(
            site=site, seeds=[seed] if seed else None, limit=query.validated_data["limit"],
            use_serp=query.validated_data["serp"]))


@extend_schema_view(list=extend_schema(summary="Your rank checks, newest first (?keyword=, ?site=)"),
                    retrieve=extend_schema(summary="One rank check with its compact SERP"))
class RankCheckViewSet(_KeywordsViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    serializer_class = s.RankCheckSerializer
    pagination_class = IdCursorPage
    queryset = RankCheck.objects.none()

    def get_queryset(self) -> Any:
        if self._fake():
            return self.queryset
        return self._filter_ids(selectors.check_list_for_user(user=self.request.user),
                                {"keyword": "keyword_id", "site": "keyword__site_id"})


class RankSiteViewSet(_KeywordsViewMixin, viewsets.GenericViewSet):
    """Rank analytics of one of the caller's sites."""

    queryset = TrackedSite.objects.none()
    pagination_class = None

    def get_queryset(self) -> Any:
        return self.queryset if self._fake() else selectors.site_list_for_user(user=self.request.user)

    @extend_schema(summary="Latest position of every keyword of a site",
                   responses={200: s.LatestPositionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def latest(self, request: Request, pk: str | None = None) -> Response:
        rows = selectors.site_latest_positions(site=self.get_object())
        return Response(s.LatestPositionSerializer(rows, many=True).data)

    @extend_schema(summary="Visibility and top-3/10/100 shares per day (?since=)",
                   parameters=[s.SinceSerializer], responses={200: dict})
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        query = s.SinceSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        site = self.get_object()
        return Response(analytics.site_visibility_history(
            site.keywords.all(), since=query.validated_data.get("since")))

    @extend_schema(summary="Visibility, shares, cannibalisation; winners and losers with ?since=",
                   parameters=[s.SinceSerializer], responses={200: dict})
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, pk: str | None = None) -> Response:
        query = s.SinceSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        site = self.get_object()
        return Response(analytics.site_summary(site.keywords.all(),
                                               since=query.validated_data.get("since")))


class ProviderStatusView(_KeywordsViewMixin, APIView):
    @extend_schema(summary="Is a SERP provider configured?", responses={200: s.ProviderStatusSerializer})
    def get(self, request: Request) -> Response:
        configured, message = provider_status()
        return Response({"configured": configured, "message": message})


class RankRunView(_KeywordsViewMixin, APIView):
    @extend_schema(summary="Check rankings now (a site's keywords, or given keywords; idempotent "
                           "per day)", request=s.RunSerializer,
                   responses={202: dict, 409: _NOT_CONFIGURED})
    def post(self, request: Request) -> Response:
        payload = s.RunSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        configured, message = provider_status()
        if not configured:
            from ..exceptions import TrackingUnavailable
            raise TrackingUnavailable(message)
        site = payload.validated_data.get("site")
        ids = payload.validated_data.get("keywords")
        keywords = selectors.keyword_list_for_user(user=request.user)
        if site is not None:
            keywords = keywords.filter(site=site)
        if ids:
            keywords = keywords.filter(pk__in=ids)
        keyword_ids = list(keywords.filter(active=True).values_list("pk", flat=True)[:100_000])
        if keyword_ids:
            transaction.on_commit(lambda: tasks.track_keywords.delay(keyword_ids))
        return Response({"queued": len(keyword_ids)}, status=status.HTTP_202_ACCEPTED)
